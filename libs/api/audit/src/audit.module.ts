import { Module } from '@nestjs/common';
import { FAILED_REQUEST_RECORDER, TransactionalRepositories } from '@cockpit/api-core';
import { AuditController } from './audit.controller.js';
import { AuditInterceptor, FailedRequestAudit } from './audit.interceptor.js';
import { AuditService } from './audit.service.js';
import { AuditRecordEntity } from './entities/audit-record.entity.js';

/** The append-only audit log: a record per state-changing request, per sign-in and per refusal. */
@Module({
  imports: [TransactionalRepositories.forFeature([AuditRecordEntity])],
  controllers: [AuditController],
  providers: [
    AuditService,
    AuditInterceptor,
    FailedRequestAudit,
    { provide: FAILED_REQUEST_RECORDER, useExisting: FailedRequestAudit },
  ],
  // The app registers AuditInterceptor as the outermost global interceptor (see apps/api).
  exports: [AuditService, AuditInterceptor, FAILED_REQUEST_RECORDER],
})
export class AuditModule {}
