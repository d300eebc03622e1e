/**
 * CRM record ids come in a 15-character case-sensitive form and an 18-character form whose last
 * three characters encode the case of the first fifteen (so that case-insensitive tools can tell
 * ids apart). Roster stores and compares the 18-character form.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID = /^[a-zA-Z0-9]{15}$/;

export function to18(id: string): string {
  if (!ID.test(id)) return id;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += ALPHABET[bits];
  }
  return id + suffix;
}

/** The forms under which an id typed in a file may be stored: as given, and 18-character when it is 15. */
export function crmIdCandidates(id: string): string[] {
  return ID.test(id) ? [id, to18(id)] : [id];
}
