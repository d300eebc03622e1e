import type { StagingPort } from '../../core/import/engine.js';
import type { RowProblem } from '../../core/import/problems.js';
import type { Db } from '../../storage/database.js';
import * as rows from '../../storage/queries/import-rows.js';

/** The engine's staging port, bound to one import in one database (or transaction). */
export function stagingFor(db: Db, importId: number): StagingPort {
  return {
    insert: (staged) => rows.insertStagedRows(db, importId, staged),
    update: (staged, withCells) => rows.updateStagedVerdicts(db, importId, staged, withCells),
    read: (afterRow, limit) => rows.readStagedCells(db, importId, afterRow, limit),
    duplicates: (index, values) => rows.duplicateRows(db, importId, rows.keyColumn(index), values),
    rowsWithKeys: (index, values) => rows.rowsWithKeys(db, importId, rows.keyColumn(index), values),
    async row(row) {
      const found = await rows.findStagedRow(db, importId, row);
      return found && { cells: found.cells, problems: found.problems as RowProblem[], action: found.action };
    },
    setProblems: (row, problems, action) => rows.setRowProblems(db, importId, row, problems, action),
    rowsWithCode: (code) => rows.rowsWithCode(db, importId, code),
    readRows: (numbers) => rows.readStagedRowsByNumber(db, importId, numbers),
  };
}
