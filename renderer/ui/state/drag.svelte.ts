import type { Attachment } from 'svelte/attachments';
import type { Presence, Preferences, TransferTargetInput } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';
import type { StartKind, TransferModel } from './transfer.svelte';

/**
 * Drag a call card onto a transfer target (docs/workspace-transfers.md).
 *
 * Pointer events, not HTML5 drag and drop: they work the same for mouse, pen
 * and touch, and let the drop read Shift/Alt. While a call is dragged every
 * target shows whether it takes the drop — only when main allows the call a
 * start (`allowedActions`) and the target has an address. The drop starts the
 * transfer straight away (modifier or `preferences.workspace.dropAction`), or
 * opens the drop choice; a target known to be busy, ringing or offline always
 * asks first.
 */

/** A drop target as the panel registers it. */
export interface DropZone {
  key: string;
  /** The target's name for the agent. */
  label: string;
  /** What a transfer to it sends; null when it cannot take one (a queue without an address). */
  target: TransferTargetInput | null;
  /** Where the provider knows it (colleagues); null otherwise. */
  presence: Presence | null;
}

export type DropVerdict = 'accept' | 'warn' | 'refuse-address' | 'refuse-call';
export type DropWarning = Extract<Presence, 'busy' | 'ringing' | 'offline'>;

export interface DraggedCall {
  callId: string;
  label: string;
  x: number;
  y: number;
}

/** The drop choice popover: what was dropped where, and what to preselect. */
export interface DropChoiceState {
  callId: string;
  callLabel: string;
  zone: DropZone;
  x: number;
  y: number;
  /** The kind a modifier or the preference picked; focus starts there. */
  preferred: StartKind | null;
  warning: DropWarning | null;
}

/** A drop that could not start anything, for the panel's status line. */
export type DropNotice = { kind: 'no-address'; target: string } | { kind: 'cannot-start'; party: string };

export interface DropModifiers {
  shift: boolean;
  alt: boolean;
}

/** The data type a history row carries when dragged natively: a number or SIP address to transfer to. */
export const numberDragType = 'application/x-agent-console-number';

const warnings: readonly Presence[] = ['busy', 'ringing', 'offline'];
/** How far the pointer moves before a press on a card becomes a drag (a click stays a click). */
const dragThresholdPx = 6;

export class DragModel {
  dragging = $state.raw<DraggedCall | null>(null);
  /** The zone under the pointer while dragging. */
  overKey = $state<string | null>(null);
  choice = $state.raw<DropChoiceState | null>(null);
  choiceError = $state<string | null>(null);
  choiceBusy = $state(false);
  notice = $state.raw<DropNotice | null>(null);
  dropAction = $state<Preferences['workspace']['dropAction']>('ask');
  /** How the target under the pointer takes the dragged call (for the ghost). */
  readonly overVerdict = $derived.by(() => {
    const zone = this.zone(this.overKey);
    return zone ? this.verdict(zone) : null;
  });
  /** The target under the pointer when it takes the call (named in the ghost). */
  readonly overTarget = $derived.by(() => {
    const v = this.overVerdict;
    return v === 'accept' || v === 'warn' ? (this.zone(this.overKey)?.label ?? null) : null;
  });

  /** Every mounted zone by key; a target listed twice (favourite and colleague) has two. */
  private readonly zones: Record<string, DropZone[]> = {};
  /** Where focus goes back when the drop choice closes (the dragged card). */
  private returnFocus: HTMLElement | null = null;
  private stopPress: (() => void) | null = null;
  private startedListeners: Array<(callId: string) => void> = [];

  constructor(
    private readonly api: ConsoleApi,
    private readonly transfers: TransferModel,
  ) {}

  /** Follows preferences.workspace.dropAction; returns the unsubscribe. */
  start(): () => void {
    const off = this.api.settings.onChanged((s) => (this.dropAction = s.preferences.workspace.dropAction));
    void this.api.settings.get().then((r) => {
      if (r.ok) this.dropAction = r.value.preferences.workspace.dropAction;
    });
    return () => {
      off();
      this.endPress();
      this.cancel();
      this.closeChoice(false);
    };
  }

  register(zone: DropZone): () => void {
    this.zones[zone.key] = [...(this.zones[zone.key] ?? []), zone];
    return () => {
      const left = (this.zones[zone.key] ?? []).filter((z) => z !== zone);
      if (left.length > 0) this.zones[zone.key] = left;
      else delete this.zones[zone.key];
    };
  }

  private zone(key: string | null): DropZone | undefined {
    return key === null ? undefined : this.zones[key]?.at(-1);
  }

  /** How a zone takes the call being dragged; null when nothing is dragged. */
  verdict(zone: DropZone): DropVerdict | null {
    const d = this.dragging;
    if (!d) return null;
    if (!this.transfers.canStart(d.callId)) return 'refuse-call';
    if (!zone.target) return 'refuse-address';
    return warningOf(zone.presence) ? 'warn' : 'accept';
  }

  begin(callId: string, label: string, x: number, y: number, source: HTMLElement | null = null): void {
    this.closeChoice(false);
    this.notice = null;
    this.returnFocus = source;
    this.dragging = { callId, label, x, y };
  }

  move(x: number, y: number, overKey: string | null): void {
    if (!this.dragging) return;
    this.dragging = { ...this.dragging, x, y };
    this.overKey = overKey !== null && Object.hasOwn(this.zones, overKey) ? overKey : null;
  }

  cancel(): void {
    this.dragging = null;
    this.overKey = null;
  }

  /** The pointer was released over `overKey` (or nowhere). */
  drop(overKey: string | null, modifiers: DropModifiers): void {
    const d = this.dragging;
    this.cancel();
    const zone = this.zone(overKey);
    if (!d || !zone) return;
    if (!this.transfers.canStart(d.callId)) {
      this.notice = { kind: 'cannot-start', party: d.label };
      return;
    }
    if (!zone.target) {
      this.notice = { kind: 'no-address', target: zone.label };
      return;
    }
    const offer = this.transfers.offer(d.callId);
    const asked: StartKind | null = modifiers.shift ? 'attended' : modifiers.alt ? 'blind' : this.dropAction === 'ask' ? null : this.dropAction;
    const offered = asked !== null && (asked === 'attended' ? offer.attended : offer.blind);
    const warning = warningOf(zone.presence);
    if (asked !== null && offered && !warning) {
      void this.send(d.callId, zone, asked);
      return;
    }
    this.choiceError = null;
    this.choice = { callId: d.callId, callLabel: d.label, zone, x: d.x, y: d.y, preferred: offered ? asked : null, warning };
  }

  /** The agent picked in the drop choice; it closes once main accepted, and shows main's refusal otherwise. */
  async choose(kind: StartKind): Promise<void> {
    const c = this.choice;
    if (!c || !c.zone.target || this.choiceBusy) return;
    this.choiceBusy = true;
    const ok = await this.send(c.callId, c.zone, kind);
    this.choiceBusy = false;
    if (this.choice !== c) return;
    if (ok) this.closeChoice(true);
    else this.choiceError = this.transfers.errors[c.callId]?.message ?? null;
  }

  /** Calls `listener` with the call's id whenever a drop started a transfer main accepted; returns the unsubscribe. */
  onStarted(listener: (callId: string) => void): () => void {
    this.startedListeners = [...this.startedListeners, listener];
    return () => {
      this.startedListeners = this.startedListeners.filter((l) => l !== listener);
    };
  }

  private async send(callId: string, zone: DropZone, kind: StartKind): Promise<boolean> {
    if (!zone.target) return false;
    const ok = await this.transfers.startTransfer(callId, zone.target, kind, zone.label);
    if (ok) for (const l of this.startedListeners) l(callId);
    return ok;
  }

  /** Closes the drop choice; `restoreFocus` hands focus back to the dragged card. */
  closeChoice(restoreFocus = true): void {
    if (!this.choice) return;
    this.choice = null;
    this.choiceError = null;
    const el = this.returnFocus;
    if (restoreFocus && el?.isConnected) el.focus();
  }

  /** A new press on a card; the one before it (if its pointerup never came) ends. */
  press(stop: () => void): void {
    this.endPress();
    this.stopPress = stop;
  }

  /** The press is over: its window listeners go. */
  endPress(): void {
    const stop = this.stopPress;
    this.stopPress = null;
    stop?.();
  }
}

function warningOf(presence: Presence | null): DropWarning | null {
  return presence !== null && warnings.includes(presence) ? (presence as DropWarning) : null;
}

/** Buttons, fields and links inside a card keep their own press; only the card's body starts a drag. */
const interactive = 'button, input, select, textarea, a[href], [contenteditable], [role="button"], [role="menuitem"]';

/** The drop zone under a point: the element there (the ghost lets the pointer through), else the event's own target. */
function zoneKeyAt(e: PointerEvent): string | null {
  const hit = (typeof document.elementFromPoint === 'function' ? document.elementFromPoint(e.clientX, e.clientY) : null) ?? e.target;
  const zone = hit instanceof Element ? hit.closest<HTMLElement>('[data-drop-key]') : null;
  return zone?.dataset.dropKey ?? null;
}

/**
 * One press on a call card, from pointerdown to pointerup: it becomes a drag
 * once the pointer moved a few pixels; Esc cancels; the click that ends a drag
 * is swallowed so the card's own click does not fire. It belongs to the press,
 * not to the card's attachment, so a card re-rendered mid-drag (a new call
 * snapshot) does not drop the drag.
 */
function followPress(drag: DragModel, el: HTMLElement, down: PointerEvent, callId: string, label: string): () => void {
  const id = down.pointerId;
  let active = false;
  const swallowClick = (e: MouseEvent) => {
    e.stopPropagation();
    e.preventDefault();
  };
  /* The press would select text on its way across the page; while it is a drag, nothing is selectable. */
  const root = document.documentElement;
  const noSelect = (e: Event) => e.preventDefault();
  const holdSelection = () => {
    root.style.userSelect = 'none';
    document.addEventListener('selectstart', noSelect);
  };
  const releaseSelection = () => {
    root.style.userSelect = '';
    document.removeEventListener('selectstart', noSelect);
  };
  const stop = () => {
    releaseSelection();
    window.removeEventListener('pointermove', onMove);
    window.removeEventListener('pointerup', onUp);
    window.removeEventListener('pointercancel', onCancel);
    window.removeEventListener('keydown', onKey, true);
    if (active) {
      active = false;
      // The click that follows this pointerup belongs to the drag, not to the card.
      window.addEventListener('click', swallowClick, { capture: true, once: true });
      setTimeout(() => window.removeEventListener('click', swallowClick, true), 0);
    }
  };
  const onMove = (e: PointerEvent) => {
    if (e.pointerId !== id) return;
    if (!active) {
      if (Math.hypot(e.clientX - down.clientX, e.clientY - down.clientY) < dragThresholdPx) return;
      active = true;
      holdSelection();
      drag.begin(callId, label, e.clientX, e.clientY, el);
    }
    document.getSelection()?.removeAllRanges();
    e.preventDefault();
    drag.move(e.clientX, e.clientY, zoneKeyAt(e));
  };
  const onUp = (e: PointerEvent) => {
    if (e.pointerId !== id) return;
    if (active) drag.drop(zoneKeyAt(e), { shift: e.shiftKey, alt: e.altKey });
    drag.endPress();
  };
  const onCancel = (e: PointerEvent) => {
    if (e.pointerId !== id) return;
    if (active) drag.cancel();
    drag.endPress();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || !active) return;
    e.preventDefault();
    e.stopPropagation();
    drag.cancel();
    drag.endPress();
  };
  // Touch captures the pointer to the card; release it so the finger's target is what lies under it.
  if (el.hasPointerCapture?.(id)) el.releasePointerCapture(id);
  window.addEventListener('pointermove', onMove);
  window.addEventListener('pointerup', onUp);
  window.addEventListener('pointercancel', onCancel);
  window.addEventListener('keydown', onKey, true);
  return stop;
}

/**
 * Put on a call card (`{@attach dragSource(drag, call.id, name)}`): pressing
 * the card's body and moving drags the call onto a target.
 */
export function dragSource(drag: DragModel, callId: string, label: string): Attachment<HTMLElement> {
  return (el) => {
    const onDown = (e: PointerEvent) => {
      if (e.button !== 0) return;
      const inner = e.target instanceof Element ? e.target.closest(interactive) : null;
      if (inner && inner !== el) return;
      drag.press(followPress(drag, el, e, callId, label));
    };
    el.addEventListener('pointerdown', onDown);
    el.dataset.dragCall = callId;
    // A touch on a card drags it instead of scrolling the page.
    el.style.touchAction = 'none';
    return () => {
      el.removeEventListener('pointerdown', onDown);
      delete el.dataset.dragCall;
      el.style.touchAction = '';
    };
  };
}

/** Put on a target (`{@attach dropZone(drag, zone)}`): the pointer finds it by its key. */
export function dropZone(drag: DragModel, zone: DropZone): Attachment<HTMLElement> {
  return (el) => {
    el.dataset.dropKey = zone.key;
    const off = drag.register(zone);
    return () => {
      off();
      delete el.dataset.dropKey;
    };
  };
}
