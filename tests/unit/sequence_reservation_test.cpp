#include <gtest/gtest.h>

#include "supervisor/events/sequence_reservation.hpp"

using stratd::supervisor::SequenceReservation;

TEST(SequenceReservation, ResumesAboveWhateverWasHandedOutOrStored) {
  SequenceReservation r;
  EXPECT_EQ(r.resume(500, 1'000'000), 2'000'000u);
  EXPECT_EQ(r.last(), 1'000'000u);  // numbers up to the reservation may have been used
  SequenceReservation fresh;
  EXPECT_EQ(fresh.resume(0, 0), SequenceReservation::kBlock);
  EXPECT_EQ(fresh.last(), 0u);
}

TEST(SequenceReservation, TheNextBlockIsRecordedHalfABlockAhead) {
  SequenceReservation r;
  r.resume(0, 0);
  EXPECT_FALSE(r.advance(SequenceReservation::kBlock / 2));
  EXPECT_EQ(r.advance(SequenceReservation::kBlock / 2 + 1), 2 * SequenceReservation::kBlock);
  EXPECT_FALSE(r.advance(SequenceReservation::kBlock));
}
