/**
 * IVR: the menu logic as a pure state machine; the SIP application connects it to
 * playback and DTMF events (see docs/media.md, "IVR menus").
 *
 * @example
 *   import { IvrMenu, ivrMenuSpec } from '../ivr/index.js';
 *   const menu = new IvrMenu(ivrMenuSpec(config.ivr.main));
 */
export {
  DEFAULT_INTER_DIGIT_TIMEOUT_MS,
  IvrMenu,
  ivrMenuSpec,
  type IvrCommand,
  type IvrFailure,
  type IvrMenuSpec,
  type IvrMenuState,
} from './ivr-menu.js';
