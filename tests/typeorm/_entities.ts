import { EntitySchema } from 'typeorm';
import { EntitySchema as EntitySchema1 } from 'typeorm1';

/** A row type for the tests; schemas without decorators, so no reflect-metadata setup is needed. */
export interface Item {
  id: number;
  name: string;
}

const definition = {
  name: 'Item',
  tableName: 'custodian_test_items',
  columns: {
    id: { type: Number, primary: true, generated: true },
    name: { type: String },
  },
} as const;

/** The entity for TypeORM 0.3 (`typeorm`). */
export const ItemSchema = new EntitySchema<Item>(definition);
/** The same entity for TypeORM 1.x (`typeorm1`). */
export const ItemSchema1 = new EntitySchema1<Item>(definition);
