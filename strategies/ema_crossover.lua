-- EMA crossover.
-- Idle: watch the fast EMA cross the slow one.
-- Analyzing: enter in the cross's direction once price confirms it, unless
--   RSI says the move is already stretched; give up after a few ticks.
-- InPosition: exit on the opposite cross; move the stop to break-even once
--   the trade is one risk unit in profit. Stop and target come from the
--   window's range, so they scale with any price level.

local FAST, SLOW, RSI_PERIOD = 9, 21, 14
local NOTIONAL = 1000        -- quote currency per trade
local MAX_WAIT_TICKS = 5     -- ticks to wait for confirmation

local function spread(ind) return ind.ema(FAST), ind.ema(SLOW) end

function detect_opportunity(md, ctx, ind)
  local fast, slow = spread(ind)
  if not fast or not slow then return nil end
  local diff = fast - slow
  local prev = ctx.prev_diff
  ctx.prev_diff = diff
  if prev == nil then return nil end
  if prev <= 0 and diff > 0 then
    return { signal = "bullish", cross_price = md.close, waited = 0 }
  elseif prev >= 0 and diff < 0 then
    return { signal = "bearish", cross_price = md.close, waited = 0 }
  end
  return nil
end

function filter_commitment(md, ctx, ind)
  ctx.waited = (ctx.waited or 0) + 1
  local rsi = ind.rsi(RSI_PERIOD)
  local risk = math.max((ind.range or 0) * 0.25, md.close * 0.002)
  local qty = NOTIONAL / md.close
  if ctx.signal == "bullish" then
    if rsi and rsi > 75 then return { action = "cancel_analysis", reason = "overbought" } end
    if md.close > ctx.cross_price then
      ctx.risk, ctx.entry, ctx.breakeven = risk, md.close, false
      return { action = "enter_long", quantity = qty,
               stop_loss = md.close - risk, take_profit = md.close + 2 * risk }
    end
  elseif ctx.signal == "bearish" then
    if rsi and rsi < 25 then return { action = "cancel_analysis", reason = "oversold" } end
    if md.close < ctx.cross_price then
      ctx.risk, ctx.entry, ctx.breakeven = risk, md.close, false
      return { action = "enter_short", quantity = qty,
               stop_loss = md.close + risk, take_profit = md.close - 2 * risk }
    end
  end
  if ctx.waited >= MAX_WAIT_TICKS then
    return { action = "cancel_analysis", reason = "no confirmation" }
  end
  return nil
end

function manage_position(md, ctx, ind)
  local fast, slow = spread(ind)
  if not fast then return nil end
  local diff = fast - slow
  ctx.prev_diff = diff
  if ctx.signal == "bullish" and diff < 0 then
    return { action = "exit", reason = "bearish cross" }
  elseif ctx.signal == "bearish" and diff > 0 then
    return { action = "exit", reason = "bullish cross" }
  end
  -- One risk unit in profit: protect the entry.
  if not ctx.breakeven and ctx.risk and ctx.entry then
    local entry = ctx.entry
    if ctx.signal == "bullish" and md.close > entry + ctx.risk then
      ctx.breakeven = true
      return { action = "update_stop_loss", new_stop = entry }
    elseif ctx.signal == "bearish" and md.close < entry - ctx.risk then
      ctx.breakeven = true
      return { action = "update_stop_loss", new_stop = entry }
    end
  end
  return nil
end
