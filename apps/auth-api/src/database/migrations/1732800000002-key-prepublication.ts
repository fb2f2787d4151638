import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/** Signing keys get an activation time, so that the next key can be published before it signs. */
export class KeyPrepublication1732800000002 implements MigrationInterface {
  name = 'KeyPrepublication1732800000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'signing_keys',
      new TableColumn({ name: 'activated_at', type: 'bigint', isNullable: true }),
    );
    // Every key that existed before this migration has been signing since it was created.
    await queryRunner.query('UPDATE signing_keys SET activated_at = created_at');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('signing_keys', 'activated_at');
  }
}
