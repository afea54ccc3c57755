import { resolve } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = resolve(import.meta.dirname, '..');
const GUARDRAILS = new Set([
  'no-restricted-imports',
  '@typescript-eslint/no-restricted-imports',
  'no-restricted-properties',
  'no-restricted-syntax',
]);

/** The project's ESLint config, reduced to the guardrail rules, on code that is not on disk. */
const eslint = new ESLint({
  cwd: ROOT,
  // Type information is not needed for these rules, and the files below do not exist.
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  ruleFilter: ({ ruleId }) => GUARDRAILS.has(ruleId),
});

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, filePath) });
  return result.messages.map((message) => `${message.ruleId ?? 'parser'}: ${message.message}`);
}

describe('Lint guardrails that keep the architecture', () => {
  it.each([
    ['src/meetings/meetings.service.ts', "import type { Request } from 'express';"],
    ['src/signaling/call/call.service.ts', "import type { Socket } from 'socket.io';"],
    ['src/signaling/call/moderation.ts', "import { Server } from 'socket.io';"],
    ['src/signaling/chat/chat-history.repository.ts', "import express from 'express';"],
    ['src/users/users.service.ts', "import type { Request } from 'express-serve-static-core';"],
    [
      'src/signaling/rooms/room-registry.ts',
      "import { createAdapter } from '@socket.io/redis-streams-adapter';",
    ],
    ['src/signaling/transport/presence.service.ts', "import { Server } from 'socket.io';"],
  ])('refuses HTTP or Socket.IO in %s', async (file, code) => {
    expect(await problems(file, code)).toEqual([
      expect.stringMatching(
        /^@typescript-eslint\/no-restricted-imports: .*never import HTTP or Socket\.IO/,
      ),
    ]);
  });

  it('keeps both bans on a file that is a service inside the transport', async () => {
    expect(
      await problems(
        'src/signaling/transport/presence.service.ts',
        "import { Server } from 'socket.io';\nimport { Model } from 'mongoose';",
      ),
    ).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*HTTP or Socket\.IO/),
      expect.stringMatching(/^no-restricted-imports: .*Mongoose models/),
    ]);
  });

  it.each([
    [
      'src/meetings/meetings.controller.ts',
      "import { Meeting } from './schemas/meeting.schema.js';",
    ],
    [
      'src/signaling/transport/signaling.gateway.ts',
      "import { ChatMessage } from '../chat/chat-message.schema.js';",
    ],
    ['src/users/users.controller.ts', "import { Model } from 'mongoose';"],
    [
      'src/signaling/transport/socket-sessions.ts',
      "import { InjectModel } from '@nestjs/mongoose';",
    ],
  ])('refuses a Mongoose model in %s', async (file, code) => {
    expect(await problems(file, code)).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*never touch Mongoose models/),
    ]);
  });

  it.each([
    ['src/signaling/call/call.service.ts', 'export const port = process.env.PORT;'],
    ['src/main.ts', "export const secret = process.env['JWT_SECRET'];"],
    ['src/auth/auth.config.ts', "import { env } from 'node:process';\nexport const e = env;"],
    ['src/auth/auth.service.ts', "import * as p from 'process';\nexport const e = p.env;"],
    ['src/users/users.service.ts', 'export const e = globalThis.process.env;'],
  ])('refuses reading the environment in %s', async (file, code) => {
    expect(await problems(file, code)).toEqual([
      expect.stringMatching(/^no-restricted-(properties|syntax): .*Only src\/config\/ reads/),
    ]);
  });

  it.each([
    ['src/meetings/dto/meetings.dto.ts', "import { IsOptional } from 'class-validator';"],
    [
      'src/compat/dto/compat.dto.ts',
      "import { IsString, IsOptional as O } from 'class-validator';",
    ],
  ])('refuses IsOptional (it lets null through) in %s', async (file, code) => {
    expect(await problems(file, code)).toEqual([
      expect.stringMatching(/^no-restricted-syntax: IsOptional\(\) lets null through/),
    ]);
  });

  it('lets config/ read the environment, and services use their own layers', async () => {
    expect(await problems('src/config/environment.ts', 'export const e = process.env;')).toEqual(
      [],
    );
    expect(
      await problems(
        'src/signaling/chat/chat-history.repository.ts',
        "import { Model } from 'mongoose';\nimport { ChatMessage } from './chat-message.schema.js';",
      ),
    ).toEqual([]);
    expect(
      await problems(
        'src/signaling/transport/signaling.gateway.ts',
        "import { Server } from 'socket.io';",
      ),
    ).toEqual([]);
  });
});
