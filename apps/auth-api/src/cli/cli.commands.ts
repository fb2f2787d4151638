import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { isEmail } from 'class-validator';
import { type DataSource, MigrationExecutor } from 'typeorm';

import { ApiError } from '@jwt-token/service-kit';

import { AuditService } from '../audit/audit.service';
import { ClientsService } from '../clients/clients.service';
import { clientDtoFromOptions } from './client-options';
import { PASSWORD_MAX, PASSWORD_MIN } from '../auth/dto/credentials.dto';
import { DbSigningKeyStore } from '../keys/signing-key.store';
import { MailService } from '../mail/mail.service';
import { SessionsService } from '../sessions/sessions.service';
import { type Role, ROLES } from '../users/roles';
import { toUserView } from '../users/user.view';
import { UsersService } from '../users/users.service';
import { readPassword } from './read-password';

/** What a command needs: the app context, its positional arguments, its options, and output. */
export interface CommandInput {
  app: INestApplicationContext;
  args: string[];
  options: {
    roles?: string;
    scopes?: string;
    limit?: string;
    'redirect-uris'?: string;
    'post-logout-redirect-uris'?: string;
    'grant-types'?: string;
    'auth-method'?: string;
    native?: boolean;
    'first-party'?: boolean;
    'id-token-alg'?: string;
    dpop?: boolean;
  };
  print: (line: string) => void;
}

export class CliError extends Error {}

function parseRoles(value: string | undefined, fallback: Role[]): Role[] {
  if (value === undefined) return fallback;
  const roles = value
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = roles.filter((r) => !ROLES.includes(r as Role));
  if (roles.length === 0 || unknown.length > 0)
    throw new CliError(`roles must be a comma-separated list of ${ROLES.join(', ')}`);
  return [...new Set(roles)] as Role[];
}

async function findUser(app: INestApplicationContext, idOrEmail: string | undefined) {
  if (!idOrEmail) throw new CliError('name a user by id or email');
  const users = app.get(UsersService);
  const user = idOrEmail.includes('@')
    ? await users.findByEmail(idOrEmail)
    : await users.findById(idOrEmail);
  if (!user) throw new CliError(`no user ${idOrEmail}`);
  return user;
}

/** Every command of `npm run cli -- <command>`, with its one-line help. */
export const COMMANDS: Record<string, { usage: string; run(input: CommandInput): Promise<void> }> =
  {
    'users:create': {
      usage: 'users:create <email> [--roles user,editor,admin]   (password from a prompt or stdin)',
      async run({ app, args, options, print }) {
        const email = args[0];
        if (!email || !isEmail(email.trim()) || email.length > 320)
          throw new CliError('give a valid email');
        const roles = parseRoles(options.roles, ['user']);
        const password = await readPassword('Password: ');
        if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
          throw new CliError(`the password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
        }
        try {
          // The operator vouches for the address they typed.
          const user = await app.get(UsersService).create(email, password, roles, true);
          await app
            .get(AuditService)
            .record({ type: 'user.registered', actorId: 'cli', subjectId: user.id });
          print(`created ${user.email} (${user.id}) with roles ${user.roles.join(', ')}`);
        } catch (error) {
          if (error instanceof ApiError && error.code === 'email_taken')
            throw new CliError(`${email} already exists`);
          throw error;
        }
      },
    },
    'users:list': {
      usage: 'users:list [--limit 100]',
      async run({ app, options, print }) {
        const limit = Number(options.limit ?? 100);
        if (!Number.isInteger(limit) || limit < 1)
          throw new CliError('--limit must be a positive integer');
        const [users, total] = await app.get(UsersService).list(0, limit);
        for (const user of users.map(toUserView)) {
          print(
            `${user.id}  ${user.email.padEnd(32)}  ${user.roles.join(',').padEnd(18)}  ${user.disabled ? 'disabled' : 'active'}`,
          );
        }
        print(`${users.length} of ${total} user(s)`);
      },
    },
    'users:roles': {
      usage: 'users:roles <id|email> <roles>   e.g. users:roles ada@example.com editor',
      async run({ app, args, print }) {
        const user = await findUser(app, args[0]);
        const roles = parseRoles(args[1], []);
        await app.get(UsersService).update(user.id, { roles });
        await app.get(AuditService).record({
          type: 'user.roles_changed',
          actorId: 'cli',
          subjectId: user.id,
          details: { from: user.roles, to: roles },
        });
        print(`${user.email}: roles ${roles.join(', ')} (shown in the next refreshed token)`);
      },
    },
    'users:disable': {
      usage: 'users:disable <id|email>   (also ends every session of the user)',
      async run({ app, args, print }) {
        const user = await findUser(app, args[0]);
        await app.get(UsersService).update(user.id, { disabled: true });
        const ended = await app.get(SessionsService).revokeAllForUser(user.id, 'user_disabled');
        await app
          .get(AuditService)
          .record({ type: 'user.disabled', actorId: 'cli', subjectId: user.id });
        print(`${user.email}: disabled, ${ended} session(s) revoked`);
      },
    },
    'users:enable': {
      usage: 'users:enable <id|email>',
      async run({ app, args, print }) {
        const user = await findUser(app, args[0]);
        await app.get(UsersService).update(user.id, { disabled: false });
        await app
          .get(AuditService)
          .record({ type: 'user.enabled', actorId: 'cli', subjectId: user.id });
        print(`${user.email}: enabled`);
      },
    },
    'mail:list': {
      usage: 'mail:list [--limit 20]   (the dev outbox without SMTP_URL; failed sends with it)',
      async run({ app, options, print }) {
        const limit = Number(options.limit ?? 20);
        if (!Number.isInteger(limit) || limit < 1 || limit > 200)
          throw new CliError('--limit must be an integer from 1 to 200');
        const mail = app.get(MailService);
        const { items, total } = await mail.list(0, limit);
        for (const message of items) {
          print(
            `${message.createdAt}  ${message.status.padEnd(6)}  ${message.to}  ${message.subject}`,
          );
          if (message.error) print(`    error: ${message.error}`);
          for (const line of message.text?.split('\n') ?? []) print(`    ${line}`);
        }
        print(`${items.length} of ${total} message(s) (${mail.mode})`);
      },
    },
    'keys:rotate': {
      usage: 'keys:rotate   (new tokens use the new key; old ones stay valid until they expire)',
      async run({ app, print }) {
        const kid = await app.get(DbSigningKeyStore).rotate();
        await app.get(AuditService).record({ type: 'key.rotated', actorId: 'cli', subjectId: kid });
        print(`signing with ${kid}`);
      },
    },
    'clients:create': {
      usage:
        'clients:create <name> [--scopes a,b] [--redirect-uris u1,u2] [--post-logout-redirect-uris u]\n' +
        '      [--grant-types a,b] [--auth-method none|client_secret_basic|client_secret_post]\n' +
        '      [--native] [--first-party] [--id-token-alg ES256|RS256] [--dpop]\n' +
        '      (--dpop: every token request needs a DPoP proof; the secret is shown once)',
      async run({ app, args, options, print }) {
        const name = args[0];
        if (!name) throw new CliError('give the client a name');
        let metadata;
        try {
          metadata = clientDtoFromOptions(name, options);
        } catch (error) {
          if (error instanceof ApiError) throw new CliError(error.message);
          throw error;
        }
        const client = await app.get(ClientsService).create(metadata);
        await app.get(AuditService).record({
          type: 'client.created',
          actorId: 'cli',
          subjectId: client.client_id,
          details: { name, scopes: metadata.scopes, grantTypes: metadata.grantTypes },
        });
        print(`client_id:     ${client.client_id}`);
        if (client.client_secret)
          print(`client_secret: ${client.client_secret}   (shown once; store it now)`);
        print(`scopes:        ${client.scopes.join(' ') || '(none)'}`);
        print(`grant_types:   ${client.grant_types.join(' ')}`);
        if (client.redirect_uris.length > 0)
          print(`redirect_uris: ${client.redirect_uris.join(' ')}`);
      },
    },
    'db:migrate': {
      usage: 'db:migrate   (applies pending migrations, one instance at a time, and lists them)',
      // Connecting ran the migrations already (on PostgreSQL under the advisory lock, so pods
      // starting together migrate once): what is left is to say what the database now holds.
      async run({ app, print }) {
        const dataSource = app.get<DataSource>(getDataSourceToken());
        const migrations = new MigrationExecutor(dataSource);
        const pending = await migrations.getPendingMigrations();
        if (pending.length > 0)
          throw new CliError(`migrations still pending: ${pending.map((m) => m.name).join(', ')}`);
        const applied = (await migrations.getExecutedMigrations()).sort(
          (a, b) => a.timestamp - b.timestamp,
        );
        for (const migration of applied) print(`applied  ${migration.name}`);
        print(`${applied.length} migration(s) applied, none pending (${dataSource.options.type})`);
      },
    },
  };
