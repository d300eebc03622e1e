import { TASK_STATUSES } from '../../domain/records.js';
import { customerRefField, externalIdField, notesField, ownedRecordTarget } from './owned-records.js';

/** Tasks of a representative, by external id per owner, optionally about one of the owner's customers. */
export const recordTasksTarget = ownedRecordTarget({
  type: 'tasks',
  name: 'tasks',
  label: 'Tasks',
  description: "Representatives' tasks, by external id per owner.",
  keyField: 'externalId',
  titleField: 'title',
  dateField: 'dueDate',
  customerRef: 'optional',
  fields: [
    externalIdField('task', ['Task ID', 'Task number']),
    {
      key: 'title',
      column: 'Title',
      label: 'Title',
      type: 'text',
      required: true,
      maxLength: 200,
      description: 'What to do.',
      synonyms: ['Task', 'Subject', 'Name'],
    },
    {
      key: 'dueDate',
      column: 'Due date',
      label: 'Due date',
      type: 'date',
      required: false,
      description: 'YYYY-MM-DD (or an Excel date cell).',
      synonyms: ['Due', 'Deadline', 'Due on'],
    },
    {
      key: 'status',
      column: 'Status',
      label: 'Status',
      type: 'enum',
      required: false,
      default: 'open',
      allowed: TASK_STATUSES,
      description: 'open or done. Left empty: open.',
      synonyms: ['State', 'Task status'],
    },
    customerRefField(false, "Optional: the number of one of the owner's customers."),
    notesField(['Description']),
  ],
});
