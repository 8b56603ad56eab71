// The projection service as its own process (containers, end-to-end tests).
import { runServiceProcess } from '@yishi/platform';
import { startProjectionService } from './main.ts';

runServiceProcess('projection', startProjectionService);
