import type { RecordType } from './types';

export const RECORD_TYPE_LABELS: Record<RecordType, string> = {
  customers: 'Customers',
  appointments: 'Appointments',
  tasks: 'Tasks',
  reports: 'Visit reports',
};

/** One record of a type, in words. */
export const RECORD_TYPE_SINGULAR: Record<RecordType, string> = {
  customers: 'Customer',
  appointments: 'Appointment',
  tasks: 'Task',
  reports: 'Visit report',
};

/** Each type's fields as the record page shows and edits them, in order. */
export const RECORD_FIELDS: Record<RecordType, { key: string; label: string; long?: boolean }[]> = {
  customers: [
    { key: 'name', label: 'Name' },
    { key: 'address1', label: 'Address line 1' },
    { key: 'address2', label: 'Address line 2' },
    { key: 'postcode', label: 'Postcode' },
    { key: 'city', label: 'City' },
    { key: 'country', label: 'Country' },
    { key: 'phone', label: 'Phone' },
    { key: 'email', label: 'Email' },
    { key: 'notes', label: 'Notes', long: true },
  ],
  appointments: [
    { key: 'subject', label: 'Subject' },
    { key: 'start', label: 'Start (YYYY-MM-DD HH:MM)' },
    { key: 'end', label: 'End (YYYY-MM-DD HH:MM)' },
    { key: 'location', label: 'Location' },
    { key: 'notes', label: 'Notes', long: true },
  ],
  tasks: [
    { key: 'title', label: 'Title' },
    { key: 'dueDate', label: 'Due date (YYYY-MM-DD)' },
    { key: 'status', label: 'Status (open or done)' },
    { key: 'notes', label: 'Notes', long: true },
  ],
  reports: [
    { key: 'date', label: 'Date (YYYY-MM-DD)' },
    { key: 'subject', label: 'Subject' },
    { key: 'text', label: 'Text', long: true },
  ],
};

export const KEY_LABEL: Record<RecordType, string> = {
  customers: 'Customer number',
  appointments: 'External ID',
  tasks: 'External ID',
  reports: 'External ID',
};
