import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { decode } from 'jsonwebtoken';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthenticatedUser } from '../common/authenticated-user';
import { authConfig } from '../config/auth.config';
import { AuthzService } from '../authz/authz.service';
import { SessionsRepository } from '../sessions/sessions.repository';
import { SigningKeysService } from './signing-keys.service';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  typ: 'access';
  iat: number;
  exp: number;
}

/**
 * Bearer access tokens: an RS256 signature by one of our keys (no other algorithm is accepted), our issuer and
 * audience, and then a live session of an enabled user in the database.
 */
@Injectable()
export class AccessTokenStrategy extends PassportStrategy(Strategy, 'access-token') {
  constructor(
    keys: SigningKeysService,
    private readonly sessions: SessionsRepository,
    private readonly authz: AuthzService,
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: ['RS256'],
      issuer: config.issuer,
      audience: config.audience,
      secretOrKeyProvider: (_request: unknown, rawJwt: string, done: (error: unknown, key?: string) => void) => {
        const kid = decode(rawJwt, { complete: true })?.header.kid;
        keys.verificationKey(kid).then(
          // jsonwebtoken takes a KeyObject; the typings of passport-jwt only know strings and buffers.
          (key) => done(null, key as unknown as string),
          (error: unknown) => done(error),
        );
      },
    });
  }

  async validate(claims: Partial<AccessTokenClaims>): Promise<AuthenticatedUser | false> {
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof claims.sid !== 'string') {
      return false;
    }
    const session = await this.sessions.findLive(claims.sid, claims.sub);
    if (!session) {
      return false;
    }
    let permissions: Promise<ReadonlySet<string>> | undefined;
    return {
      id: session.userId,
      username: session.username,
      sessionId: claims.sid,
      permissions: () => (permissions ??= this.authz.globalPermissions(session.userId)),
    };
  }
}
