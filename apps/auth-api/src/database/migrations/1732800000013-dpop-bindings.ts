import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * DPoP (RFC 9449): the key a public client's refresh tokens are bound to (`sessions.dpop_jkt`, an
 * RFC 7638 thumbprint), and a client's `dpop_bound_access_tokens` registration setting (§5.2).
 */
export class DpopBindings1732800000013 implements MigrationInterface {
  name = 'DpopBindings1732800000013';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'sessions',
      new TableColumn({ name: 'dpop_jkt', type: 'varchar', length: '64', isNullable: true }),
    );
    await queryRunner.addColumn(
      'oauth_clients',
      new TableColumn({ name: 'dpop_bound_access_tokens', type: 'boolean', default: false }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oauth_clients', 'dpop_bound_access_tokens');
    await queryRunner.dropColumn('sessions', 'dpop_jkt');
  }
}
