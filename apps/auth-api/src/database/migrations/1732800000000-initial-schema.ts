import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableForeignKey,
  TableIndex,
} from 'typeorm';

/**
 * Users, sessions (refresh-token families), signing keys and server secrets.
 * Written with TypeORM's schema builder so the one migration runs on SQLite and PostgreSQL.
 */
export class InitialSchema1732800000000 implements MigrationInterface {
  name = 'InitialSchema1732800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const id = (name: string) => ({ name, type: 'varchar', length: '36', isPrimary: true });
    const time = (name: string, isNullable = false) => ({ name, type: 'bigint', isNullable });

    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          id('id'),
          { name: 'email', type: 'varchar', length: '320', isUnique: true },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'roles', type: 'text' },
          { name: 'disabled', type: 'boolean', default: false },
          { name: 'failed_logins', type: 'integer', default: 0 },
          time('locked_until', true),
          time('created_at'),
          time('updated_at'),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          id('id'),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'salt', type: 'varchar', length: '64' },
          { name: 'generation', type: 'integer' },
          { name: 'rotations', type: 'text' },
          time('created_at'),
          time('last_used_at'),
          time('expires_at'),
          time('revoked_at', true),
          { name: 'revoked_reason', type: 'varchar', length: '32', isNullable: true },
          { name: 'user_agent', type: 'varchar', length: '512', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
        indices: [new TableIndex({ name: 'idx_sessions_user_id', columnNames: ['user_id'] })],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          { name: 'kid', type: 'varchar', length: '64', isPrimary: true },
          { name: 'alg', type: 'varchar', length: '16' },
          { name: 'public_jwk', type: 'text' },
          { name: 'private_key', type: 'text' },
          time('created_at'),
          time('retired_at', true),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'server_secrets',
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'value', type: 'text' },
          time('created_at'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['server_secrets', 'signing_keys', 'sessions', 'users']) {
      await queryRunner.dropTable(table);
    }
  }
}
