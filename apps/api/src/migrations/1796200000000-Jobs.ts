import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Durable jobs and their targets; the job and snapshot permissions join the built-in roles. */
export class Jobs1796200000000 implements MigrationInterface {
  name = 'Jobs1796200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "jobs" ("id" uuid NOT NULL, "kind" text NOT NULL, "title" text NOT NULL, "scope" text NOT NULL,
      "scope_chain" text array NOT NULL, "actor_id" uuid, "actor_name" text NOT NULL, "state" text NOT NULL, "params" jsonb NOT NULL,
      "total" integer NOT NULL DEFAULT '0', "succeeded" integer NOT NULL DEFAULT '0', "failed" integer NOT NULL DEFAULT '0',
      "skipped" integer NOT NULL DEFAULT '0', "cancelled" integer NOT NULL DEFAULT '0', "attempts" integer NOT NULL DEFAULT '0',
      "instance" text, "error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_jobs" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "jobs_created_id" ON "jobs" ("created_at", "id")`);
    await queryRunner.query(`CREATE INDEX "jobs_actor_created" ON "jobs" ("actor_id", "created_at")`);
    await queryRunner.query(`CREATE INDEX "jobs_state_created" ON "jobs" ("state", "created_at")`);
    await queryRunner.query(`CREATE TABLE "job_targets" ("job_id" uuid NOT NULL, "target_id" text NOT NULL, "ordinal" integer NOT NULL,
      "label" text NOT NULL, "group_key" text, "state" text NOT NULL DEFAULT 'pending', "message" text,
      "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_job_targets" PRIMARY KEY ("job_id", "target_id"))`);
    await queryRunner.query(`CREATE INDEX "job_targets_state" ON "job_targets" ("job_id", "state", "ordinal")`);
    await queryRunner.query(`CREATE INDEX "job_targets_label" ON "job_targets" ("job_id", "label", "target_id")`);
    // Installs whose first migration already seeded these (the constant grew) keep one copy.
    const grant = (roles: string[], permissions: string[]) =>
      queryRunner.query(
        `UPDATE roles SET permissions = permissions || ARRAY(SELECT p FROM unnest($2::text[]) p WHERE NOT p = ANY(roles.permissions))
         WHERE built_in AND name = ANY($1::text[])`,
        [roles, permissions],
      );
    await grant(['Administrator', 'Operator'], ['job.view', 'job.cancel', 'vm.snapshot']);
    await grant(['Auditor', 'Viewer'], ['job.view']);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE roles SET permissions = array_remove(array_remove(array_remove(permissions, 'job.view'), 'job.cancel'), 'vm.snapshot') WHERE built_in`,
    );
    await queryRunner.query(`DROP TABLE "job_targets"`);
    await queryRunner.query(`DROP TABLE "jobs"`);
  }
}
