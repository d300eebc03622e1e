/**
 * Row problems in words, for lists that name a kind of problem rather than one row's (the review's
 * problem filter). Each row's own message stays the server's; these only name the kind.
 */
const PROBLEM_LABELS: Record<string, string> = {
  'row.duplicate': 'Same value as another row',
  'row.skipped': 'Row skipped',
  'read.invalid_bytes': 'Characters that could not be read',
  'read.formula_without_value': 'Formula saved without its value',
  'read.stray_quote': 'Quote inside a value',
  'read.text_after_quote': 'Text after a closing quote',
  'cell.truncated': 'Value cut at the cell limit',
  'value.required': 'Required value missing',
  'value.too_long': 'Value too long',
  'value.not_allowed': 'Value not among those allowed',
  'text.too_long': 'Text too long',
  'email.required': 'Email missing',
  'email.invalid': 'Email not valid',
  'email.too_long': 'Email too long',
  'user.email_taken': 'Email used by another user',
  'user.exists_elsewhere': 'User belongs to another customer',
  'username.invalid': 'Username not valid',
  'username.taken': 'Username taken',
  'employee_number.taken': 'Employee number taken',
  'group.will_create': 'Group to create',
  'status.not_for_new_users': 'Status not possible for a new user',
  'status.not_settable': 'Status that cannot be set',
  'status.historical': 'Status no longer given',
  'role.unknown': 'Unknown role',
  'role.inactive': 'Inactive role',
  'group.unknown': 'Unknown group',
  'site.not_found': 'Unknown site',
  'customer.required': 'Customer missing',
  'customer.not_found': 'Unknown customer',
  'contact.not_found': 'Unknown contact',
  'contact.has_user': 'Contact already has a user',
  'contact.no_email': 'Contact without an email',
  'owner.unknown': 'Unknown owner',
  'owner.ambiguous': 'Owner matches more than one user',
  'record.customer_unknown': 'Unknown customer number',
  'appointment.end_before_start': 'Appointment ends before it starts',
  'date.invalid': 'Date not valid',
  'date.order_unknown': 'Date order unclear (day or month first)',
  'datetime.invalid': 'Date and time not valid',
  'number.invalid': 'Number not valid',
  'boolean.invalid': 'Yes/no value not valid',
  'attribute.required': 'Required attribute missing',
  'attribute.too_long': 'Attribute too long',
  'attribute.not_allowed': 'Attribute value not allowed',
  'attribute.not_a_number': 'Attribute is not a number',
  'attribute.not_a_boolean': 'Attribute is not yes or no',
  'attribute.not_a_date': 'Attribute is not a date',
};

/** A problem code in words; an unknown one from its own parts ("site.closed" → "Site closed"). */
export function problemLabel(code: string): string {
  const known = PROBLEM_LABELS[code];
  if (known) return known;
  const words = code.replace(/[._]/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
