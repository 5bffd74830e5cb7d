import { defineConfig } from 'prisma/config';

// Prisma is used for its client only: migrations are SQL files applied by src/db/migrate.ts.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
