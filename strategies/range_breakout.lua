-- Range breakout.
-- Idle: a close beyond the window's previous high (long) or low (short).
--   indicators.high/low already include the current bar, so a close can
--   never exceed them; the previous tick's values are kept in `context`.
-- Analyzing: commit when the move has participation (volume above the
--   window's average) or follows through (a close further out than the
--   breakout close); cancel if price falls back inside or nothing happens.
-- InPosition: trail the stop behind the best close with update_stop_loss
--   and exit as soon as a close is back inside the old range.
-- Distances come from the window's range with a floor as a fraction of
-- price, and size is notional / price, so any price level works.

local NOTIONAL = 1000        -- quote currency per trade; quantity = NOTIONAL / price
local MIN_BARS = 30          -- no signals until the window holds this many bars
local MAX_WAIT_TICKS = 3     -- ticks to wait for confirmation
local TRAIL_RANGE_FRAC = 0.2 -- trailing distance as a share of the range...
local TRAIL_MIN_FRAC = 0.004 -- ...but never closer than this fraction of price
local TRAIL_STEP = 0.25      -- move the stop only by this share of the trail or more

local function trail_distance(md, ind)
  return math.max((ind.range or 0) * TRAIL_RANGE_FRAC, md.close * TRAIL_MIN_FRAC)
end

-- Every function ends here, so the next tick sees this tick's range.
local function remember(ctx, ind)
  ctx.prev_high, ctx.prev_low = ind.high, ind.low
end

function detect_opportunity(md, ctx, ind)
  local hi, lo = ctx.prev_high, ctx.prev_low
  remember(ctx, ind)
  -- sma(MIN_BARS) is nil until the window holds MIN_BARS bars: a cheap
  -- warm-up check, since the API has no bar count.
  if not hi or not lo or not ind.sma(MIN_BARS) then return nil end
  if md.close > hi then
    return { signal = "long", level = hi, break_close = md.close, waited = 0 }
  elseif md.close < lo then
    return { signal = "short", level = lo, break_close = md.close, waited = 0 }
  end
  return nil
end

function filter_commitment(md, ctx, ind)
  ctx.waited = (ctx.waited or 0) + 1
  remember(ctx, ind)
  local long = ctx.signal == "long"
  local level = ctx.level
  if not level then return { action = "cancel_analysis", reason = "no breakout level" } end
  if (long and md.close <= level) or (not long and md.close >= level) then
    return { action = "cancel_analysis", reason = "back inside the range" }
  end
  local volume_ok = ind.avg_volume and md.volume > ind.avg_volume
  local break_close = ctx.break_close or level
  local follow_through = (long and md.close > break_close)
      or (not long and md.close < break_close)
  if volume_ok or follow_through then
    local trail = trail_distance(md, ind)
    local qty = NOTIONAL / md.close
    ctx.best = md.close
    if long then
      ctx.stop = md.close - trail
      return { action = "enter_long", quantity = qty, stop_loss = ctx.stop }
    end
    ctx.stop = md.close + trail
    return { action = "enter_short", quantity = qty, stop_loss = ctx.stop }
  end
  if ctx.waited >= MAX_WAIT_TICKS then
    return { action = "cancel_analysis", reason = "no volume or follow-through" }
  end
  return nil
end

function manage_position(md, ctx, ind)
  remember(ctx, ind)
  local long = ctx.signal == "long"
  local level = ctx.level
  -- A breakout that closes back inside the old range has failed.
  if level and ((long and md.close < level) or (not long and md.close > level)) then
    return { action = "exit", reason = "back inside the range" }
  end
  local trail = trail_distance(md, ind)
  local step = trail * TRAIL_STEP
  if long then
    ctx.best = math.max(ctx.best or md.close, md.close)
    local new_stop = ctx.best - trail
    -- Only tighten, only in meaningful steps, and stay below the close
    -- (the broker rejects a long stop at or above the current price).
    if new_stop > (ctx.stop or 0) + step and new_stop < md.close then
      ctx.stop = new_stop
      return { action = "update_stop_loss", new_stop = new_stop }
    end
  else
    ctx.best = math.min(ctx.best or md.close, md.close)
    local new_stop = ctx.best + trail
    if new_stop < (ctx.stop or math.huge) - step and new_stop > md.close then
      ctx.stop = new_stop
      return { action = "update_stop_loss", new_stop = new_stop }
    end
  end
  return nil
end
