import { SetMetadata } from '@nestjs/common';
import { IS_PUBLIC } from './access.metadata';

/** Opens a route to callers without an access token. Everything else requires one. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
