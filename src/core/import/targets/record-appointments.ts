import { readDateTime } from '../../domain/records.js';
import type { RowProblem } from '../problems.js';
import { problem } from '../validate.js';
import { customerRefField, externalIdField, notesField, ownedRecordTarget } from './owned-records.js';

/** Appointments of a representative, by external id per owner, each at one of the owner's customers. */
export const recordAppointmentsTarget = ownedRecordTarget({
  type: 'appointments',
  name: 'appointments',
  label: 'Appointments',
  description: "Representatives' appointments, by external id per owner, at one of the owner's customers.",
  keyField: 'externalId',
  titleField: 'subject',
  dateField: 'start',
  customerRef: 'required',
  fields: [
    externalIdField('appointment', ['Appointment ID', 'Appointment number']),
    {
      key: 'subject',
      column: 'Subject',
      label: 'Subject',
      type: 'text',
      required: true,
      maxLength: 200,
      description: 'What the appointment is about.',
      synonyms: ['Title', 'Topic'],
    },
    {
      key: 'start',
      column: 'Start',
      label: 'Start',
      type: 'text',
      required: true,
      maxLength: 30,
      description: 'Date and time: YYYY-MM-DD HH:MM (or an Excel date cell).',
      synonyms: ['Start time', 'Begin', 'From', 'Starts'],
    },
    {
      key: 'end',
      column: 'End',
      label: 'End',
      type: 'text',
      required: true,
      maxLength: 30,
      description: 'Date and time after the start: YYYY-MM-DD HH:MM.',
      synonyms: ['End time', 'Until', 'To', 'Ends'],
    },
    {
      key: 'location',
      column: 'Location',
      label: 'Location',
      type: 'text',
      required: false,
      maxLength: 200,
      description: 'Where.',
      synonyms: ['Place', 'Where'],
    },
    customerRefField(true, "The number of one of the owner's customers."),
    notesField(),
  ],
  read(row) {
    const problems: RowProblem[] = [];
    const when = (key: 'start' | 'end') => {
      const text = row.values[key];
      if (text === null || text === undefined) return null;
      const read = readDateTime(String(text));
      if (read === null)
        problems.push(
          problem(
            row.row,
            row.columns[key] ?? key,
            String(text),
            'datetime.invalid',
            `"${text}" is not a date and time; write it as YYYY-MM-DD HH:MM.`,
            'cell',
          ),
        );
      return read;
    };
    const start = when('start');
    const end = when('end');
    if (start !== null && end !== null && end <= start)
      problems.push(
        problem(
          row.row,
          row.columns.end ?? 'End',
          String(row.values.end),
          'appointment.end_before_start',
          `The end (${end}) must be after the start (${start}).`,
          'row',
        ),
      );
    return { problems, values: { start, end } };
  },
});
