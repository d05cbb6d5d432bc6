/**
 * Must be the first import of the app: zod builds its schemas at import time and, unless told
 * otherwise, probes `new Function('')` to decide whether to JIT-compile them. The probe fails under
 * our CSP (no 'unsafe-eval') and, although zod catches the error, Chromium still reports a CSP
 * violation. jitless parsing is plenty fast for one manifest.
 */
import { config } from 'zod';

config({ jitless: true });
