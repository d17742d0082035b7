/** Forked by test helpers and benchmarks: a card host driven over IPC. */
import { serveIpc } from './host.js';

serveIpc();
