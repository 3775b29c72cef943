import type { MigrationInterface, QueryRunner } from 'typeorm';
import { BUILT_IN_ROLES } from '@cockpit/contracts';

export class AuthAndAudit1795320832492 implements MigrationInterface {
  name = 'AuthAndAudit1795320832492';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_log" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_type" text NOT NULL, "actor_id" uuid, "actor_name" text NOT NULL, "source_ip" text NOT NULL, "action" text NOT NULL, "target" text, "params" jsonb NOT NULL DEFAULT '{}', "result" text NOT NULL, "status" integer NOT NULL, "request_id" text NOT NULL, CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_a6b8adfa094785bf8ed30f2688" ON "audit_log"  ("action", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_ecba529d8233cb9380846eb1b7" ON "audit_log"  ("actor_name", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_ba27cef5b8b2b1a756e06ebcc5" ON "audit_log"  ("at") `);
    await queryRunner.query(
      `CREATE TABLE "role_bindings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "subject_type" text NOT NULL, "subject_id" uuid NOT NULL, "role_id" uuid NOT NULL, "scope" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_75acd622be13220fadd56bfdfbe" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_4925ce7a6d1ad05fb3f09a278f" ON "role_bindings"  ("subject_type", "subject_id") `);
    await queryRunner.query(
      `CREATE TABLE "roles" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "permissions" text array NOT NULL, "built_in" boolean NOT NULL DEFAULT false, CONSTRAINT "UQ_648e3f5447f725579d7d4ffdfb7" UNIQUE ("name"), CONSTRAINT "PK_c1433d71a4838793a49dcad46ab" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" text NOT NULL, "display_name" text NOT NULL, "password_hash" text NOT NULL, "disabled" boolean NOT NULL DEFAULT false, "totp_secret" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id_hash" text NOT NULL, "user_id" uuid NOT NULL, "csrf_token" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "source_ip" text NOT NULL, "user_agent" text NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5dda86a77da1e1e37e690a45996" PRIMARY KEY ("id_hash"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_085d540d9f418cfbdc7bd55bb1" ON "sessions"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "login_failures" ("key" text NOT NULL, "failures" integer NOT NULL, "last_failure_at" TIMESTAMP WITH TIME ZONE NOT NULL, "blocked_until" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_917877ed32c9d30e8b6b72caae3" PRIMARY KEY ("key"))`,
    );

    // Usernames are unique whatever their case (TypeORM cannot express this index; synchronize: false).
    await queryRunner.query(`CREATE UNIQUE INDEX "users_username_lower" ON "users" (lower("username"))`);

    // Built-in roles, with fixed ids so every installation agrees.
    const ids: Record<string, string> = {
      Administrator: '00000000-0000-4000-8000-00000000a001',
      Operator: '00000000-0000-4000-8000-00000000a002',
      Auditor: '00000000-0000-4000-8000-00000000a003',
      Viewer: '00000000-0000-4000-8000-00000000a004',
    };
    for (const [name, permissions] of Object.entries(BUILT_IN_ROLES)) {
      await queryRunner.query(`INSERT INTO "roles" ("id", "name", "permissions", "built_in") VALUES ($1, $2, $3, true)`, [
        ids[name],
        name,
        permissions,
      ]);
    }

    // The audit log is append-only: the database itself refuses to change or remove a record,
    // whoever asks (triggers bind superusers and table owners too; REVOKE alone would not).
    await queryRunner.query(`CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()`,
    );
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "audit_log" FROM PUBLIC`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER audit_log_no_truncate ON "audit_log"`);
    await queryRunner.query(`DROP TRIGGER audit_log_no_update_delete ON "audit_log"`);
    await queryRunner.query(`DROP FUNCTION audit_log_is_append_only()`);
    await queryRunner.query(`DROP INDEX "users_username_lower"`);
    await queryRunner.query(`DROP TABLE "login_failures"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_085d540d9f418cfbdc7bd55bb1"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP TABLE "roles"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_4925ce7a6d1ad05fb3f09a278f"`);
    await queryRunner.query(`DROP TABLE "role_bindings"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ba27cef5b8b2b1a756e06ebcc5"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ecba529d8233cb9380846eb1b7"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_a6b8adfa094785bf8ed30f2688"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
  }
}
