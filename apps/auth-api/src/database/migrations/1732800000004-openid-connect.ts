import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * OpenID Connect: client registration metadata (RFC 7591 names), the client and browser session a
 * session belongs to, single-use authorization codes, and remembered consents.
 */
export class OpenIdConnect1732800000004 implements MigrationInterface {
  name = 'OpenIdConnect1732800000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Existing rows are the service clients of before: client_credentials, secret_basic/post.
    await queryRunner.addColumns('oauth_clients', [
      new TableColumn({ name: 'redirect_uris', type: 'text', default: "'[]'" }),
      new TableColumn({ name: 'post_logout_redirect_uris', type: 'text', default: "'[]'" }),
      new TableColumn({ name: 'grant_types', type: 'text', default: `'["client_credentials"]'` }),
      new TableColumn({
        name: 'token_endpoint_auth_method',
        type: 'varchar',
        length: '32',
        default: "'client_secret_basic'",
      }),
      new TableColumn({
        name: 'application_type',
        type: 'varchar',
        length: '16',
        default: "'web'",
      }),
      new TableColumn({ name: 'first_party', type: 'boolean', default: false }),
      new TableColumn({
        name: 'id_token_signed_response_alg',
        type: 'varchar',
        length: '16',
        isNullable: true,
      }),
    ]);
    await queryRunner.addColumns('sessions', [
      new TableColumn({ name: 'client_id', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn({ name: 'parent_id', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn({ name: 'scope', type: 'varchar', length: '2000', isNullable: true }),
      new TableColumn({ name: 'auth_time', type: 'bigint', isNullable: true }),
    ]);
    await queryRunner.createIndex(
      'sessions',
      new TableIndex({ name: 'idx_sessions_parent_id', columnNames: ['parent_id'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'oauth_authorization_codes',
        columns: [
          { name: 'code_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '64' },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'browser_session_id', type: 'varchar', length: '36' },
          { name: 'redirect_uri', type: 'varchar', length: '2000' },
          { name: 'scope', type: 'varchar', length: '2000' },
          { name: 'nonce', type: 'varchar', length: '512', isNullable: true },
          { name: 'code_challenge', type: 'varchar', length: '128' },
          { name: 'auth_time', type: 'bigint' },
          { name: 'created_at', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
          { name: 'consumed_at', type: 'bigint', isNullable: true },
          { name: 'issued_session_id', type: 'varchar', length: '36', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'idx_authorization_codes_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'oauth_consents',
        columns: [
          { name: 'user_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'scopes', type: 'text' },
          { name: 'granted_at', type: 'bigint' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('oauth_consents');
    await queryRunner.dropTable('oauth_authorization_codes');
    await queryRunner.dropIndex('sessions', 'idx_sessions_parent_id');
    for (const column of ['auth_time', 'scope', 'parent_id', 'client_id'])
      await queryRunner.dropColumn('sessions', column);
    for (const column of [
      'id_token_signed_response_alg',
      'first_party',
      'application_type',
      'token_endpoint_auth_method',
      'grant_types',
      'post_logout_redirect_uris',
      'redirect_uris',
    ])
      await queryRunner.dropColumn('oauth_clients', column);
  }
}
