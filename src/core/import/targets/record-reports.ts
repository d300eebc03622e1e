import { customerRefField, externalIdField, ownedRecordTarget } from './owned-records.js';

/** Visit reports of a representative, by external id per owner, each about one of the owner's customers. */
export const recordReportsTarget = ownedRecordTarget({
  type: 'reports',
  name: 'reports',
  label: 'Visit reports',
  description:
    "Representatives' visit reports, by external id per owner, each about one of the owner's customers.",
  keyField: 'externalId',
  titleField: 'subject',
  dateField: 'date',
  customerRef: 'required',
  fields: [
    externalIdField('report', ['Report ID', 'Report number']),
    {
      key: 'date',
      column: 'Date',
      label: 'Date',
      type: 'date',
      required: true,
      description: 'Day of the visit: YYYY-MM-DD (or an Excel date cell).',
      synonyms: ['Visit date', 'Report date', 'Day'],
    },
    customerRefField(true, "The number of the owner's customer visited."),
    {
      key: 'subject',
      column: 'Subject',
      label: 'Subject',
      type: 'text',
      required: false,
      maxLength: 200,
      description: 'What the visit was about.',
      synonyms: ['Title', 'Topic'],
    },
    {
      key: 'text',
      column: 'Text',
      label: 'Text',
      type: 'text',
      required: false,
      maxLength: 20000,
      description: 'The report.',
      synonyms: ['Report', 'Report text', 'Notes', 'Body'],
    },
  ],
});
