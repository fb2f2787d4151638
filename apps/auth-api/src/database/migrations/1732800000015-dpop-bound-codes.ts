import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * RFC 9449 §10: an authorization code bound to the DPoP key named by the request's `dpop_jkt`
 * (or proven at the pushed authorization request); only a token request with a proof by that key
 * redeems it.
 */
export class DpopBoundCodes1732800000015 implements MigrationInterface {
  name = 'DpopBoundCodes1732800000015';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'oauth_authorization_codes',
      new TableColumn({ name: 'dpop_jkt', type: 'varchar', length: '64', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oauth_authorization_codes', 'dpop_jkt');
  }
}
