import { type MigrationInterface, type QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * Second factors: TOTP and recovery codes, the second factor's own lockout counter, and how
 * each session was signed into (`amr`, RFC 8176).
 */
export class SecondFactors1732800000011 implements MigrationInterface {
  name = 'SecondFactors1732800000011';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('users', [
      new TableColumn({ name: 'mfa_failures', type: 'integer', default: 0 }),
      new TableColumn({ name: 'mfa_locked_until', type: 'bigint', isNullable: true }),
    ]);
    // Sessions opened before this migration were all password sign-ins.
    await queryRunner.addColumn(
      'sessions',
      new TableColumn({ name: 'amr', type: 'varchar', length: '64', default: "'pwd'" }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'totp_factors',
        columns: [
          { name: 'user_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'secret', type: 'varchar', length: '255' },
          { name: 'confirmed_at', type: 'bigint', isNullable: true },
          { name: 'last_used_step', type: 'bigint', isNullable: true },
          { name: 'created_at', type: 'bigint' },
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'recovery_codes',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'code_hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'created_at', type: 'bigint' },
          { name: 'used_at', type: 'bigint', isNullable: true },
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [{ name: 'idx_recovery_codes_user', columnNames: ['user_id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('recovery_codes');
    await queryRunner.dropTable('totp_factors');
    await queryRunner.dropColumn('sessions', 'amr');
    await queryRunner.dropColumns('users', ['mfa_failures', 'mfa_locked_until']);
  }
}
