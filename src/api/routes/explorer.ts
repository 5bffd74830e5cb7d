import path from 'node:path';
import express, { Router } from 'express';
import { packageRoot } from '../../packageRoot.js';

/**
 * The audit explorer: a static page (HTML, one script, one stylesheet) that signs in with an API key held in the
 * tab's session storage and reads the audit API with it. Served under helmet's default CSP: scripts from this
 * origin only, no inline code.
 */
export function explorerRoutes(): Router {
  const router = Router();
  const root = path.join(packageRoot(), 'web', 'explorer');
  router.get('/explorer', (_req, res) => {
    res.sendFile(path.join(root, 'index.html'));
  });
  router.use('/explorer', express.static(root, { index: false }));
  return router;
}
