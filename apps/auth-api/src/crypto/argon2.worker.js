'use strict';
// The task function of PasswordHasher's piscina pool: argon2id on a worker thread. Plain
// CommonJS (not TypeScript) so that the same file runs under Jest from src/ and, copied by the
// build, from dist/. The synchronous calls are right here: this thread exists to do this work.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS worker file, see above
const { hashSync, verifySync } = require('@node-rs/argon2');

/** @param {{ op: 'hash', password: string, options: object } | { op: 'verify', hash: string, password: string }} task */
module.exports = function argon2Task(task) {
  if (task.op === 'hash') return hashSync(task.password, task.options);
  return verifySync(task.hash, task.password);
};
