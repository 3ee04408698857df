// Sales reports. Every test passes, and nothing is left open: the leak here is memory. The
// report cache in src/reports.mjs keeps every report forever, about 2.5 MB per test, which
// custodian's heap trend finds across the file.
import { describe, expect, test } from 'vitest';
import { renderReport } from '../src/reports.mjs';

const orders = [
  { customer: 'ada', total: 120 },
  { customer: 'bob', total: 80 },
  { customer: 'ada', total: 30 },
];

describe('renderReport', () => {
  const customers = ['ada', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus', 'hal', 'ivy', 'jo', 'kim', 'lou', 'max', 'ned', 'oli', 'pat', 'quinn', 'rae', 'sam', 'tess'];
  test.each(customers)('renders the monthly report of %s', (customer) => {
    const report = renderReport(customer, orders);
    expect(report.rows).toBeGreaterThan(0);
    expect(report.total).toBe(orders.filter((order) => order.customer === customer).reduce((sum, order) => sum + order.total, 0));
  });
});
