// The command service as its own process (containers, end-to-end tests).
import { runServiceProcess } from '@yishi/platform';
import { startCommandService } from './main.ts';

runServiceProcess('command', startCommandService);
