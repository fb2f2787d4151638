import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** The security audit log. */
export class AuditEvents1732800000003 implements MigrationInterface {
  name = 'AuditEvents1732800000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'at', type: 'bigint' },
          { name: 'type', type: 'varchar', length: '40' },
          { name: 'actor_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'subject_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'user_agent', type: 'varchar', length: '512', isNullable: true },
          { name: 'details', type: 'text', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'idx_audit_events_at', columnNames: ['at'] }),
          new TableIndex({ name: 'idx_audit_events_type_at', columnNames: ['type', 'at'] }),
          new TableIndex({ name: 'idx_audit_events_actor', columnNames: ['actor_id'] }),
          new TableIndex({ name: 'idx_audit_events_subject', columnNames: ['subject_id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_events');
  }
}
