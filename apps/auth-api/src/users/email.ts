/** Trimmed, Unicode NFC, lower-cased: the one form an email is stored and compared in. */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}
