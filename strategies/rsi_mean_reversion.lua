-- RSI mean reversion.
-- Idle: wait for RSI to reach an extreme (oversold -> long, overbought -> short).
-- Analyzing: enter only once the move turns: RSI back inside the band, or
--   price reclaiming the previous close while RSI lifts off its extreme.
--   Give up after a few ticks without a turn.
-- InPosition: take the reversion when RSI reaches the middle, or leave on a
--   time stop. Stop-loss and take-profit are set at entry and sized from the
--   window's range (with a floor as a fraction of price), so they scale with
--   any price level.
-- Everything kept in `context` is a scalar, so a restarted worker resumes
-- exactly where it was.

local RSI_PERIOD = 14
local LOWER, UPPER, MIDDLE = 30, 70, 50
local NOTIONAL = 1000        -- quote currency per trade; quantity = NOTIONAL / price
local MAX_WAIT_TICKS = 8     -- ticks to wait for the turn before cancelling
local MAX_HOLD_TICKS = 60    -- time stop, in ticks held
local COOLDOWN_TICKS = 10    -- after a stop/target closed by the broker
local RISK_RANGE_FRAC = 0.15 -- stop distance as a share of the window's range...
local RISK_MIN_FRAC = 0.004  -- ...but never closer than this fraction of price
local REWARD_RISK = 2.0      -- target distance in units of stop distance

-- A floor relative to price keeps the stop off the fill even with a tiny
-- range early in the window, and keeps the target beyond moderate slippage.
local function risk_distance(md, ind)
  return math.max((ind.range or 0) * RISK_RANGE_FRAC, md.close * RISK_MIN_FRAC)
end

-- Called at the end of every function so the next tick can compare against
-- this tick's close and RSI.
local function remember(md, ctx, rsi)
  ctx.prev_close = md.close
  if rsi then ctx.prev_rsi = rsi end
end

function detect_opportunity(md, ctx, ind)
  local rsi = ind.rsi(RSI_PERIOD)
  -- in_trade still set here means the broker closed the position on its
  -- stop or target (manage_position clears it on its own exits): pause, so
  -- a still-extreme RSI does not put us straight back into a losing move.
  if ctx.in_trade then
    ctx.in_trade = false
    ctx.cooldown = COOLDOWN_TICKS
  end
  if (ctx.cooldown or 0) > 0 then
    ctx.cooldown = ctx.cooldown - 1
    remember(md, ctx, rsi)
    return nil
  end
  remember(md, ctx, rsi)
  if not rsi then return nil end
  if rsi <= LOWER then
    return { signal = "long", extreme_rsi = rsi, waited = 0 }
  elseif rsi >= UPPER then
    return { signal = "short", extreme_rsi = rsi, waited = 0 }
  end
  return nil
end

function filter_commitment(md, ctx, ind)
  ctx.waited = (ctx.waited or 0) + 1
  local rsi = ind.rsi(RSI_PERIOD)
  if not rsi then
    return { action = "cancel_analysis", reason = "rsi unavailable" }
  end
  local prev_close = ctx.prev_close or md.close
  local long = ctx.signal == "long"
  -- Track the deepest reading, so "lifting off the extreme" means off the
  -- real extreme and not the first one we saw.
  if long then
    ctx.extreme_rsi = math.min(ctx.extreme_rsi or rsi, rsi)
  else
    ctx.extreme_rsi = math.max(ctx.extreme_rsi or rsi, rsi)
  end
  local turned
  if long then
    turned = rsi > LOWER or (md.close > prev_close and rsi > ctx.extreme_rsi)
  else
    turned = rsi < UPPER or (md.close < prev_close and rsi < ctx.extreme_rsi)
  end
  remember(md, ctx, rsi)
  if turned then
    local risk = risk_distance(md, ind)
    local qty = NOTIONAL / md.close
    ctx.entry, ctx.risk, ctx.held, ctx.in_trade = md.close, risk, 0, true
    if long then
      return { action = "enter_long", quantity = qty,
               stop_loss = md.close - risk, take_profit = md.close + REWARD_RISK * risk }
    end
    return { action = "enter_short", quantity = qty,
             stop_loss = md.close + risk, take_profit = md.close - REWARD_RISK * risk }
  end
  if ctx.waited >= MAX_WAIT_TICKS then
    return { action = "cancel_analysis", reason = "no turn within " .. MAX_WAIT_TICKS .. " ticks" }
  end
  return nil
end

function manage_position(md, ctx, ind)
  ctx.held = (ctx.held or 0) + 1
  local rsi = ind.rsi(RSI_PERIOD)
  remember(md, ctx, rsi)
  local reason = nil
  if rsi and ctx.signal == "long" and rsi >= MIDDLE then
    reason = "rsi reverted to middle"
  elseif rsi and ctx.signal == "short" and rsi <= MIDDLE then
    reason = "rsi reverted to middle"
  elseif ctx.held >= MAX_HOLD_TICKS then
    reason = "time stop"
  end
  if reason then
    ctx.in_trade = false
    return { action = "exit", reason = reason }
  end
  return nil
end
