//! Calendar arithmetic for the RTC: a broken-down date and time, conversion to and from Unix
//! seconds (proleptic Gregorian, UTC), one-second increments with carries, and the register
//! encodings (BCD or binary, 12 or 24 hour).

/// A date and time as the RTC counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime {
    /// Full year, e.g. 2026.
    pub year: u16,
    /// 1-12.
    pub month: u8,
    /// 1-31.
    pub day: u8,
    /// 0-23.
    pub hour: u8,
    /// 0-59.
    pub minute: u8,
    /// 0-59.
    pub second: u8,
    /// 1 = Sunday ... 7 = Saturday.
    pub weekday: u8,
}

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// True for a Gregorian leap year.
pub fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in `month` (1-12) of `year`; 31 for an out-of-range month.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 31,
    }
}

impl DateTime {
    /// The date and time at Unix time `seconds` (UTC), with years clamped to 0-9999.
    pub fn from_unix(seconds: i64) -> DateTime {
        let days = seconds.div_euclid(86_400);
        let secs = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        // 1970-01-01 was a Thursday (weekday 5 with Sunday = 1).
        let weekday = (days + 4).rem_euclid(7) + 1;
        DateTime {
            year: year.clamp(0, 9999) as u16,
            month: month as u8,
            day: day as u8,
            hour: (secs / 3600) as u8,
            minute: (secs / 60 % 60) as u8,
            second: (secs % 60) as u8,
            weekday: weekday as u8,
        }
    }

    /// Unix time of this date and time (fields out of range are taken arithmetically).
    pub fn to_unix(&self) -> i64 {
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// Advances one second the way the RTC's update cycle does, carrying into minutes,
    /// hours, the day of week, the date, the month and the year. Out-of-range fields (as a
    /// guest may write) are brought back into range instead of carrying forever.
    pub fn tick(&mut self) {
        self.second += 1;
        if self.second < 60 {
            return;
        }
        self.second = 0;
        self.minute += 1;
        if self.minute < 60 {
            return;
        }
        self.minute = 0;
        self.hour += 1;
        if self.hour < 24 {
            return;
        }
        self.hour = 0;
        self.weekday = if self.weekday >= 7 {
            1
        } else {
            self.weekday + 1
        };
        self.day += 1;
        if self.day <= days_in_month(self.year, self.month) {
            return;
        }
        self.day = 1;
        self.month += 1;
        if self.month <= 12 {
            return;
        }
        self.month = 1;
        self.year = if self.year >= 9999 { 0 } else { self.year + 1 };
    }

    /// Clamps every field into its valid range (after decoding garbage a guest wrote).
    pub fn sanitised(mut self) -> DateTime {
        self.month = self.month.clamp(1, 12);
        self.day = self.day.clamp(1, days_in_month(self.year, self.month));
        self.hour = self.hour.min(23);
        self.minute = self.minute.min(59);
        self.second = self.second.min(59);
        self.weekday = self.weekday.clamp(1, 7);
        self.year = self.year.min(9999);
        self
    }
}

/// Encodes 0-99 as BCD or binary.
pub fn encode(value: u8, bcd: bool) -> u8 {
    if bcd {
        ((value / 10 % 10) << 4) | (value % 10)
    } else {
        value
    }
}

/// Decodes a BCD or binary register value (bad BCD digits are taken at face value).
pub fn decode(raw: u8, bcd: bool) -> u8 {
    if bcd {
        (raw >> 4) * 10 + (raw & 0xF)
    } else {
        raw
    }
}

/// Encodes an hour 0-23 for the hours register: 24-hour, or 12-hour with bit 7 = PM.
pub fn encode_hour(hour: u8, bcd: bool, twenty_four: bool) -> u8 {
    if twenty_four {
        return encode(hour, bcd);
    }
    let pm = hour >= 12;
    let h12 = match hour % 12 {
        0 => 12,
        h => h,
    };
    encode(h12, bcd) | if pm { 0x80 } else { 0 }
}

/// Decodes the hours register back to 0-23.
pub fn decode_hour(raw: u8, bcd: bool, twenty_four: bool) -> u8 {
    if twenty_four {
        return decode(raw, bcd);
    }
    let h12 = decode(raw & 0x7F, bcd) % 12;
    if raw & 0x80 != 0 {
        h12 + 12
    } else {
        h12
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_epoch_and_known_dates() {
        let epoch = DateTime::from_unix(0);
        assert_eq!(
            (epoch.year, epoch.month, epoch.day, epoch.weekday),
            (1970, 1, 1, 5)
        );
        // 2000-02-29 12:34:56 UTC, a Tuesday.
        let t = DateTime::from_unix(951_827_696);
        assert_eq!(
            t,
            DateTime {
                year: 2000,
                month: 2,
                day: 29,
                hour: 12,
                minute: 34,
                second: 56,
                weekday: 3
            }
        );
        assert_eq!(t.to_unix(), 951_827_696);
    }

    #[test]
    fn tick_carries_through_new_year_and_leap_days() {
        let mut t = DateTime::from_unix(DateTime::from_unix(0).to_unix() + 365 * 86_400 - 1);
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute, t.second),
            (1970, 12, 31, 23, 59, 59)
        );
        t.tick();
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute, t.second),
            (1971, 1, 1, 0, 0, 0)
        );
        assert_eq!(t.weekday, 6, "1971-01-01 was a Friday");
        for (year, leap) in [(2000u16, true), (1900, false), (2024, true), (2023, false)] {
            let mut d = DateTime {
                year,
                month: 2,
                day: 28,
                hour: 23,
                minute: 59,
                second: 59,
                weekday: 1,
            };
            d.tick();
            assert_eq!(d.day == 29, leap, "{year}");
        }
    }

    #[test]
    fn tick_agrees_with_unix_arithmetic_over_a_range() {
        let mut t = DateTime::from_unix(1_700_000_000);
        for s in 1..=200_000i64 {
            t.tick();
            if s % 9_973 == 0 {
                assert_eq!(t, DateTime::from_unix(1_700_000_000 + s));
            }
        }
    }

    #[test]
    fn bcd_and_hour_encodings() {
        assert_eq!(encode(59, true), 0x59);
        assert_eq!(encode(59, false), 59);
        assert_eq!(decode(0x59, true), 59);
        let table = [
            (0u8, 0x12u8),
            (1, 0x01),
            (11, 0x11),
            (12, 0x92),
            (13, 0x81),
            (23, 0x91),
        ];
        for (hour, raw) in table {
            assert_eq!(encode_hour(hour, true, false), raw, "hour {hour}");
            assert_eq!(decode_hour(raw, true, false), hour);
        }
        assert_eq!(encode_hour(23, false, true), 23);
        assert_eq!(encode_hour(0, false, false), 12);
    }

    #[test]
    fn garbage_fields_are_sanitised_without_panic() {
        let mut t = DateTime {
            year: 2026,
            month: 0xFF,
            day: 0xFF,
            hour: 0xFF,
            minute: 0xFF,
            second: 0xFF,
            weekday: 0,
        }
        .sanitised();
        assert_eq!((t.month, t.day, t.hour, t.weekday), (12, 31, 23, 1));
        t.tick();
        assert_eq!(t.year, 2027);
    }
}
