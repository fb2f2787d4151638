import { ConsoleAssets } from './console-assets';
import { ConsoleCsrf, ConsoleCsrfGuard } from './console-csrf';
import { ConsolePageController } from './console-page.controller';
import { ConsoleSessionController } from './console-session.controller';

/** The web console's controllers, for AppModule. */
export const CONSOLE_CONTROLLERS = [ConsolePageController, ConsoleSessionController];
/** The web console's providers, for AppModule. */
export const CONSOLE_PROVIDERS = [ConsoleAssets, ConsoleCsrf, ConsoleCsrfGuard];
