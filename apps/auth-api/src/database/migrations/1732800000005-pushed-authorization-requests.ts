import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** Pushed authorization requests (RFC 9126). */
export class PushedAuthorizationRequests1732800000005 implements MigrationInterface {
  name = 'PushedAuthorizationRequests1732800000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'oauth_pushed_requests',
        columns: [
          { name: 'request_uri_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '64' },
          { name: 'params', type: 'text' },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({ name: 'idx_pushed_requests_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('oauth_pushed_requests');
  }
}
