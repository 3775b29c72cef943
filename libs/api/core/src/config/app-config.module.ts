import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@cockpit/api-config';
import { OriginPolicy } from '../http/origin-policy.js';
import { SECRET_BOX, SecretBox } from '../secrets/secret-box.js';
import { APP_CONFIG } from './app-config.token.js';

export { APP_CONFIG };

@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: SECRET_BOX, useFactory: () => SecretBox.fromConfig(config) },
        OriginPolicy,
      ],
      exports: [APP_CONFIG, SECRET_BOX, OriginPolicy],
    };
  }
}
