// Sales reports. The bug this example plants: a module-level cache keyed by the time of the
// request, so it never hits and never evicts: every report rendered stays in memory.
const cache = new Map();

/** Renders a customer's monthly report (one row per day), "cached". */
export function renderReport(customer, orders) {
  const key = `${customer}@${Date.now()}-${cache.size}`;
  const rows = Array.from({ length: 16_384 }, (_, day) => ({
    customer,
    day,
    total: orders.filter((order) => order.customer === customer).reduce((sum, order) => sum + order.total, 0) + day,
    note: `report row ${day} for ${customer}`,
  }));
  cache.set(key, rows);
  return { customer, rows: rows.length, total: rows[0].total };
}
