"""What the demo panel offers to scan on the pick screen, step by step (and the picked totes at packing).

Right codes and a wrong one of each kind (a wrong bin, a wrong item, a wrong tote), the quantity key and
the command cards, so a newcomer can walk a whole batch, see every refusal, then pack from the totes.
"""

from __future__ import annotations

from app.bench.picking import PickState
from app.bench.views import PickView

Suggestion = tuple[str, str]


def demo_tote(batch_id: str, slot: int) -> str:
    """An empty tote code for a batch's slot (unique per batch, as tote labels on a cart are)."""
    return f"TOTE-{batch_id.replace('-', '')[:4].upper()}{slot:02d}"


def pick_suggestions(s: PickView) -> list[Suggestion]:
    """What to scan next, from the pick screen's last view (the panel never reads the session)."""
    stop = s.current
    if s.state == PickState.TOTES:
        slot = s.next_slot or 1
        out = [(demo_tote(s.batch_id, slot), f"an empty tote for slot {slot}")]
        return out + [(t, "a tote already on the cart: WRONG tote") for t in list(s.totes.values())[:1]]
    if s.state in (PickState.IDLE, PickState.DONE) or stop is None:
        return [(t, f"picked tote {t}: open its order") for t in s.ready_totes]
    others = [x for x in s.places if x.bin != stop.bin]
    if s.state == PickState.AT_BIN:
        out = [(stop.bin, f"the bin label of {stop.bin}")]
        out += [(x.bin, "a WRONG bin") for x in others[:1]]
        return [*out, ("CMD:SKIP", "command card: skip this stop")]
    if s.state == PickState.PICKING:
        out = [(stop.barcode or stop.sku, f"{stop.name} (still {stop.left})")]
        if stop.left > 1:
            out.append((str(stop.left), f"key the quantity {stop.left}, then scan one"))
        out += [(x.barcode or x.sku, "a WRONG item") for x in others if x.sku != stop.sku][:1]
        out.append((str(stop.left + 1), "a quantity too many: OVER-pick"))
        return [*out, ("CMD:SHORT_BIN_EMPTY", "command card: short pick, the bin is empty")]
    tote = s.current_tote
    out = [(tote, f"tote {tote}: put them in")]
    out += [(t, "a WRONG tote") for t in s.totes.values() if t != tote][:1]
    return [*out, ("CMD:TOTE_OK", "command card: confirm the tote")]
