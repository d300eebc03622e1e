import { describe, expect, it } from 'vitest';
import { readCell } from '../../src/core/import/cells.js';
import { DateOrders, orderEvidence, readOrderedDate } from '../../src/core/import/dates.js';
import type { TargetField } from '../../src/core/import/target.js';

const dateField = { key: 'start', column: 'Start date', label: 'Start date', type: 'date' } as TargetField;

describe('dates in day-first or month-first order', () => {
  it('reads a value that proves its own order, whatever the column says', () => {
    expect(orderEvidence('15/02/2025')).toBe('DMY');
    expect(orderEvidence('02/15/2025')).toBe('MDY');
    expect(orderEvidence('2025/02/15')).toBe('YMD');
    expect(orderEvidence('03/04/2025')).toBeNull();
    expect(readCell(dateField, '15/02/2025')).toEqual({ ok: true, value: '2025-02-15' });
    expect(readCell(dateField, '15.02.25')).toEqual({ ok: true, value: '2025-02-15' });
  });

  it('refuses an ambiguous value when nothing gives the order, saying to choose it', () => {
    expect(readCell(dateField, '03/04/2025')).toMatchObject({
      ok: false,
      code: 'date.order_unknown',
      message: expect.stringMatching(/choose the date order/),
    });
    expect(readOrderedDate('03/04/2025', 'DMY')).toEqual({ ok: true, iso: '2025-04-03' });
    expect(readOrderedDate('03/04/2025', 'MDY')).toEqual({ ok: true, iso: '2025-03-04' });
    expect(readOrderedDate('02/15/2025', 'DMY')).toMatchObject({ ok: false, code: 'date.invalid' });
  });

  it('infers the order per column, then from the other columns, then from the delimiter', () => {
    const orders = new DateOrders('auto', null);
    orders.observe(0, '03/04/2025');
    expect(orders.orderFor(0)).toBeNull();
    orders.observe(0, '28/04/2025');
    expect(orders.orderFor(0)).toBe('DMY');
    orders.observe(1, '04/28/2025');
    expect(orders.orderFor(1)).toBe('MDY');
    expect(orders.orderFor(2)).toBe('DMY');
    expect(new DateOrders('auto', 'DMY').orderFor(0)).toBe('DMY');
    expect(new DateOrders('MDY', 'DMY').orderFor(0)).toBe('MDY');
  });
});
