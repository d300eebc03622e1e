import { describe, expect, it } from 'vitest';
import { crmIdCandidates, to18 } from '../../src/core/domain/crm-id.js';

describe('CRM ids', () => {
  it('converts a 15-character id to its 18-character form with the case checksum', () => {
    expect(to18('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
    expect(to18('003000000000000')).toBe('003000000000000AAA');
    expect(to18('ABCDEABCDEABCDE')).toBe('ABCDEABCDEABCDE555');
  });
  it('leaves other ids as they are', () => {
    expect(to18('001A0000006Vm9rIAC')).toBe('001A0000006Vm9rIAC');
    expect(crmIdCandidates('42')).toEqual(['42']);
    expect(crmIdCandidates('001A0000006Vm9r')).toEqual(['001A0000006Vm9r', '001A0000006Vm9rIAC']);
  });
});
