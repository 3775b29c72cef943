import { Global, Injectable, Logger, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { getDataSourceToken, getRepositoryToken } from '@nestjs/typeorm';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral, type Repository } from 'typeorm';

interface ActiveUnit {
  manager: EntityManager;
  afterCommit: (() => void)[];
}

/**
 * One database transaction per state-changing request: every repository write a handler makes,
 * and its audit record, commit together or not at all. Work that must only be seen once it is
 * durable (events to browsers, in-process listeners) waits for the commit through `afterCommit`.
 *
 * Why not nestjs-cls + @nestjs-cls/transactional: they are CommonJS and `require()` @nestjs/common,
 * which is ESM-only in Nest 12; Node copes, but jest's ESM runtime refuses that require(esm) inside
 * a module cycle. What they would do for us is this AsyncLocalStorage holding the transaction's
 * EntityManager, and the repository proxy below.
 */
@Injectable()
export class UnitOfWork {
  private readonly logger = new Logger('UnitOfWork');
  private readonly storage = new AsyncLocalStorage<ActiveUnit>();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in one transaction (joining the caller's if there is one); after the outermost
   * commit, runs what was deferred with afterCommit. A throw rolls everything back.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.storage.getStore()) return work();
    const unit: Omit<ActiveUnit, 'manager'> = { afterCommit: [] };
    const result = await this.dataSource.transaction((manager) => this.storage.run({ ...unit, manager }, work));
    for (const callback of unit.afterCommit) {
      try {
        callback();
      } catch (error) {
        this.logger.error({ err: error }, 'An after-commit callback failed');
      }
    }
    return result;
  }

  /**
   * A transaction for a service's multi-statement write: inside a unit of work a savepoint on its
   * connection, else a transaction of its own. Never `dataSource.transaction` in code a request can
   * reach: a second connection writing rows that reference the request's uncommitted ones waits on
   * it forever.
   */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const manager = this.manager;
    return manager ? manager.transaction(work) : this.dataSource.transaction(work);
  }

  /** The EntityManager of the current unit of work, if any. */
  get manager(): EntityManager | undefined {
    return this.storage.getStore()?.manager;
  }

  /** Inside a unit of work: run once it has committed (never if it rolls back). Outside: now. */
  afterCommit(callback: () => void): void {
    const unit = this.storage.getStore();
    if (unit) unit.afterCommit.push(callback);
    else callback();
  }
}

/**
 * A repository that works inside the caller's unit of work when there is one (the transaction's
 * EntityManager) and on the pool otherwise (collector, timers). Services keep `@InjectRepository`.
 */
export function transactionalRepository<T extends ObjectLiteral>(
  entity: EntityTarget<T>,
  dataSource: DataSource,
  unitOfWork: UnitOfWork,
): Repository<T> {
  const base = dataSource.getRepository(entity);
  return new Proxy(base, {
    get(target, property) {
      const repository = unitOfWork.manager?.getRepository(entity) ?? target;
      const value: unknown = Reflect.get(repository, property, repository);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(repository) : value;
    },
  });
}

/** The drop-in for `TypeOrmModule.forFeature(entities)` whose repositories join the unit of work. */
@Module({})
export class TransactionalRepositories {
  static forFeature(entities: EntityTarget<ObjectLiteral>[]): DynamicModule {
    const providers: Provider[] = entities.map((entity) => ({
      provide: getRepositoryToken(entity as never),
      inject: [getDataSourceToken(), UnitOfWork],
      useFactory: (dataSource: DataSource, unitOfWork: UnitOfWork) => transactionalRepository(entity, dataSource, unitOfWork),
    }));
    return { module: TransactionalRepositories, providers, exports: providers };
  }
}

@Global()
@Module({ providers: [UnitOfWork], exports: [UnitOfWork] })
export class UnitOfWorkModule {}
