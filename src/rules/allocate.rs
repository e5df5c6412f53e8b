//! Largest-remainder allocation of the pot to forces, to the unit (rules §4).

use std::cmp::Reverse;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use thiserror::Error;

use crate::domain::number::{ParseNumberError, parse_exact};
use crate::domain::{ForceId, Money};

/// The most decimal places a weight may carry. Six is far more than any published weight
/// needs, and it keeps every product of the exact computation well inside `u128`.
pub const WEIGHT_PLACES: u32 = 6;

/// The step the allocations are rounded to: whole pounds (the default, as allocations are
/// published in whole pounds) or pence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AllocationUnit {
    #[default]
    Pound,
    Penny,
}

impl AllocationUnit {
    /// The unit as an amount: £1.00 or £0.01.
    pub fn amount(self) -> Money {
        match self {
            AllocationUnit::Pound => Money::pounds(1),
            AllocationUnit::Penny => Money::pence(1),
        }
    }

    /// The unit in pence, which is how the exact computation counts.
    fn pence(self) -> u128 {
        match self {
            AllocationUnit::Pound => 100,
            AllocationUnit::Penny => 1,
        }
    }
}

impl fmt::Display for AllocationUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AllocationUnit::Pound => "pound",
            AllocationUnit::Penny => "penny",
        })
    }
}

/// Text that names no allocation unit.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{text:?} is not an allocation unit: use pound or penny")]
pub struct BadAllocationUnit {
    pub text: String,
}

impl FromStr for AllocationUnit {
    type Err = BadAllocationUnit;

    fn from_str(text: &str) -> Result<AllocationUnit, BadAllocationUnit> {
        match text {
            "pound" => Ok(AllocationUnit::Pound),
            "penny" => Ok(AllocationUnit::Penny),
            _ => Err(BadAllocationUnit {
                text: text.to_owned(),
            }),
        }
    }
}

/// A force's weight in the allocation: a non-negative decimal with at most
/// [`WEIGHT_PLACES`] places, held exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weight(Decimal);

impl Weight {
    pub const ZERO: Weight = Weight(Decimal::ZERO);

    /// Refuses a negative weight, or one with more places than the allocation reads.
    pub fn new(value: Decimal) -> Result<Weight, ParseNumberError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(ParseNumberError::Negative);
        }
        // Normalising drops trailing zeros (2.50 → 2.5) and a negative zero, so the scale
        // is the true number of places and the weight prints the way it was meant.
        let value = value.normalize();
        if value.scale() > WEIGHT_PLACES {
            return Err(ParseNumberError::TooManyPlaces {
                places: WEIGHT_PLACES,
            });
        }
        Ok(Weight(value))
    }

    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

impl fmt::Display for Weight {
    /// Plain form without trailing zeros: `1470`, `2.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Weight {
    type Err = ParseNumberError;

    /// Exact parsing: no rounding, no thousands separators, no negative weights.
    fn from_str(text: &str) -> Result<Weight, ParseNumberError> {
        Weight::new(parse_exact(text, WEIGHT_PLACES)?)
    }
}

/// One force's weight, as given to [`allocate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightLine {
    pub force: ForceId,
    pub weight: Weight,
}

/// One force's share of the pot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationLine {
    pub force: ForceId,
    pub weight: Weight,
    pub allocation: Money,
}

/// The pot split between the forces, one line per force in id order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    pub pot: Money,
    pub unit: AllocationUnit,
    pub lines: Vec<AllocationLine>,
}

impl Allocation {
    /// The sum of the allocations; always the pot.
    pub fn total(&self) -> Money {
        self.lines.iter().map(|line| line.allocation).sum()
    }

    /// `pot − total`; always zero, and shown so that a reader can see it is.
    pub fn difference(&self) -> Money {
        self.pot - self.total()
    }
}

/// Why a pot cannot be allocated with the weights given.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum AllocateError {
    #[error("no weights were given: list at least one force with a positive weight")]
    NoWeights,
    #[error("every weight is 0: give at least one force a positive weight")]
    AllZero,
    #[error("force {0} is given a weight twice: list each force once")]
    DuplicateForce(ForceId),
    #[error("the pot is {}, not a positive amount: give a pot above £0.00", .0.to_gbp())]
    PotNotPositive(Money),
    #[error(
        "the pot {} is not a whole number of {unit}s ({}): give a pot in whole {unit}s or allocate with a smaller unit",
        pot.to_gbp(),
        unit.amount().to_gbp()
    )]
    PotNotWholeUnits { pot: Money, unit: AllocationUnit },
    #[error(
        "the pot and weights are too large to allocate exactly: use smaller weights (fewer digits or decimal places)"
    )]
    TooLarge,
}

/// Splits the pot between the forces in proportion to their weights, to the unit, so that
/// the allocations add up to the pot exactly (rules §4).
///
/// Each force gets its exact share floored to the unit; the units left over go one each to
/// the forces with the largest remainders, ties to the larger weight, then to the lower id.
/// The lines come back in force id order whatever the order of `weights`.
pub fn allocate(
    pot: Money,
    unit: AllocationUnit,
    weights: &[WeightLine],
) -> Result<Allocation, AllocateError> {
    if weights.is_empty() {
        return Err(AllocateError::NoWeights);
    }
    let mut sorted: Vec<&WeightLine> = weights.iter().collect();
    sorted.sort_by(|a, b| a.force.cmp(&b.force));
    if let Some(pair) = sorted
        .windows(2)
        .find(|pair| pair[0].force == pair[1].force)
    {
        return Err(AllocateError::DuplicateForce(pair[0].force.clone()));
    }
    if pot.is_negative() || pot.is_zero() {
        return Err(AllocateError::PotNotPositive(pot));
    }
    let pot_pence =
        u128::try_from(pot.to_pence()).map_err(|_| AllocateError::PotNotPositive(pot))?;
    if pot_pence % unit.pence() != 0 {
        return Err(AllocateError::PotNotWholeUnits { pot, unit });
    }
    let units = pot_pence / unit.pence();

    let scaled = scale_to_integers(&sorted)?;
    let total_weight = scaled
        .iter()
        .try_fold(0u128, |sum, &w| sum.checked_add(w))
        .ok_or(AllocateError::TooLarge)?;
    if total_weight == 0 {
        return Err(AllocateError::AllZero);
    }

    // Integer shares: force f gets ⌊N·w_f / W⌋ units and keeps N·w_f mod W as its
    // remainder. Dividing in integers (not Decimal, which rounds at 28 digits) keeps every
    // remainder exact, so two forces tie only when their shares truly tie.
    let mut floors = Vec::with_capacity(scaled.len());
    let mut remainders = Vec::with_capacity(scaled.len());
    for &w in &scaled {
        let product = units.checked_mul(w).ok_or(AllocateError::TooLarge)?;
        floors.push(product / total_weight);
        remainders.push(product % total_weight);
    }
    let handed_out = floors
        .iter()
        .try_fold(0u128, |sum, &f| sum.checked_add(f))
        .ok_or(AllocateError::TooLarge)?;
    // The floors never exceed N in total, so this cannot underflow; checked all the same.
    let left_over = units
        .checked_sub(handed_out)
        .ok_or(AllocateError::TooLarge)?;

    // Rank the forces for the left-over units: larger remainder first, then larger weight,
    // then lower id (`sorted` is in id order, so the index stands for the id). Only forces
    // with a positive weight are candidates; the left-over is always fewer than the forces
    // with a non-zero remainder, so this only makes "weight 0 gets 0" plain to see.
    let mut ranking: Vec<usize> = (0..sorted.len()).filter(|&i| scaled[i] > 0).collect();
    ranking.sort_by_key(|&i| (Reverse(remainders[i]), Reverse(scaled[i]), i));
    let left_over = usize::try_from(left_over).map_err(|_| AllocateError::TooLarge)?;
    for &i in ranking.iter().take(left_over) {
        floors[i] += 1;
    }

    let lines = sorted
        .iter()
        .zip(&floors)
        .map(|(line, &force_units)| {
            Ok(AllocationLine {
                force: line.force.clone(),
                weight: line.weight,
                allocation: units_to_money(force_units, unit)?,
            })
        })
        .collect::<Result<Vec<_>, AllocateError>>()?;
    Ok(Allocation { pot, unit, lines })
}

/// Multiplies every weight by the same power of ten so that all become whole numbers;
/// proportions are unchanged, and the arithmetic can then be done in integers.
fn scale_to_integers(lines: &[&WeightLine]) -> Result<Vec<u128>, AllocateError> {
    let places = lines
        .iter()
        .map(|line| line.weight.0.scale())
        .max()
        .unwrap_or(0);
    lines
        .iter()
        .map(|line| {
            let weight = line.weight.0;
            let mantissa =
                u128::try_from(weight.mantissa()).map_err(|_| AllocateError::TooLarge)?;
            10u128
                .checked_pow(places - weight.scale())
                .and_then(|factor| mantissa.checked_mul(factor))
                .ok_or(AllocateError::TooLarge)
        })
        .collect()
}

/// A number of units as money.
fn units_to_money(units: u128, unit: AllocationUnit) -> Result<Money, AllocateError> {
    let pence = units
        .checked_mul(unit.pence())
        .and_then(|pence| i128::try_from(pence).ok())
        .ok_or(AllocateError::TooLarge)?;
    let amount =
        Decimal::try_from_i128_with_scale(pence, 2).map_err(|_| AllocateError::TooLarge)?;
    Ok(Money::round(amount))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::prelude::ToPrimitive;
    use rust_decimal_macros::dec;

    fn id(text: &str) -> ForceId {
        text.parse().unwrap()
    }

    fn lines(weights: &[(&str, &str)]) -> Vec<WeightLine> {
        weights
            .iter()
            .map(|(force, weight)| WeightLine {
                force: id(force),
                weight: weight.parse().unwrap(),
            })
            .collect()
    }

    /// The allocation as (id, amount) text pairs, for readable assertions.
    fn amounts(allocation: &Allocation) -> Vec<(String, String)> {
        allocation
            .lines
            .iter()
            .map(|line| (line.force.to_string(), line.allocation.to_string()))
            .collect()
    }

    fn expect(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn pot(text: &str) -> Money {
        text.parse().unwrap()
    }

    #[test]
    fn worked_example_pence_one_third_each() {
        // rules §4: £100.00 to the penny over 1, 1, 1 → 33.34, 33.33, 33.33
        let result = allocate(
            pot("100.00"),
            AllocationUnit::Penny,
            &lines(&[("a", "1"), ("b", "1"), ("c", "1")]),
        )
        .unwrap();
        assert_eq!(
            amounts(&result),
            expect(&[("a", "33.34"), ("b", "33.33"), ("c", "33.33")])
        );
        assert_eq!(result.total(), pot("100.00"));
        assert_eq!(result.difference(), Money::ZERO);
    }

    #[test]
    fn worked_example_exact_shares_need_no_remainder() {
        // rules §4: £10 in pounds over 2, 3, 5 → 2, 3, 5
        let result = allocate(
            pot("10"),
            AllocationUnit::Pound,
            &lines(&[("a", "2"), ("b", "3"), ("c", "5")]),
        )
        .unwrap();
        assert_eq!(
            amounts(&result),
            expect(&[("a", "2.00"), ("b", "3.00"), ("c", "5.00")])
        );
    }

    #[test]
    fn worked_example_last_pound_goes_to_the_lowest_id() {
        // rules §4: £10 in pounds over 1, 1, 1 → 4, 3, 3 (a gets the last pound)
        let result = allocate(
            pot("10"),
            AllocationUnit::Pound,
            &lines(&[("c", "1"), ("a", "1"), ("b", "1")]),
        )
        .unwrap();
        assert_eq!(
            amounts(&result),
            expect(&[("a", "4.00"), ("b", "3.00"), ("c", "3.00")])
        );
        assert_eq!(result.unit, AllocationUnit::Pound);
        assert_eq!(result.pot, pot("10.00"));
    }

    #[test]
    fn largest_remainder_wins_before_weight_or_id() {
        // £5 over a=1, b=1, c=2: shares 1.25, 1.25, 2.50; floors 1, 1, 2 leave 1 pound,
        // which goes to c, whose remainder .50 is the largest.
        let result = allocate(
            pot("5"),
            AllocationUnit::Pound,
            &lines(&[("a", "1"), ("b", "1"), ("c", "2")]),
        )
        .unwrap();
        assert_eq!(
            amounts(&result),
            expect(&[("a", "1.00"), ("b", "1.00"), ("c", "3.00")])
        );
    }

    #[test]
    fn a_tie_of_remainders_goes_to_the_larger_weight_before_the_lower_id() {
        // £4 over a=1, b=3, c=4 (W = 8, N = 4): shares 0.5, 1.5, 2.0. In integers the
        // remainders are 4·1 mod 8 = 4, 4·3 mod 8 = 4, 4·4 mod 8 = 0: a and b truly tie.
        // Floors 0, 1, 2 leave 1 pound; b has the larger weight, so b gets it although a
        // has the lower id.
        let result = allocate(
            pot("4"),
            AllocationUnit::Pound,
            &lines(&[("a", "1"), ("b", "3"), ("c", "4")]),
        )
        .unwrap();
        assert_eq!(
            amounts(&result),
            expect(&[("a", "0.00"), ("b", "2.00"), ("c", "2.00")])
        );

        // The same shares with decimal weights 0.5, 1.5, 2 (scaled to 5, 15, 20).
        let result = allocate(
            pot("4"),
            AllocationUnit::Pound,
            &lines(&[("a", "0.5"), ("b", "1.50"), ("c", "2")]),
        )
        .unwrap();
        assert_eq!(
            amounts(&result),
            expect(&[("a", "0.00"), ("b", "2.00"), ("c", "2.00")])
        );
    }

    #[test]
    fn among_equal_weights_and_remainders_the_lowest_id_wins() {
        // £11 over four equal weights: 2.75 each, floors 2 leave 3 pounds; the ids in
        // ascending byte order (north-wales < northamptonshire < northumbria) get them.
        let result = allocate(
            pot("11"),
            AllocationUnit::Pound,
            &lines(&[
                ("northumbria", "7"),
                ("zz", "7"),
                ("northamptonshire", "7"),
                ("north-wales", "7"),
            ]),
        )
        .unwrap();
        assert_eq!(
            amounts(&result),
            expect(&[
                ("north-wales", "3.00"),
                ("northamptonshire", "3.00"),
                ("northumbria", "3.00"),
                ("zz", "2.00"),
            ])
        );
    }

    #[test]
    fn weight_zero_gets_zero_even_when_units_are_left_over() {
        // £10 over a=0, b=1, c=1, d=1: 3.33 each for b, c, d; one pound is left over and
        // goes to b, never to a although a has the lowest id.
        let result = allocate(
            pot("10"),
            AllocationUnit::Pound,
            &lines(&[("a", "0"), ("b", "1"), ("c", "1"), ("d", "1")]),
        )
        .unwrap();
        assert_eq!(
            amounts(&result),
            expect(&[("a", "0.00"), ("b", "4.00"), ("c", "3.00"), ("d", "3.00")])
        );
        assert_eq!(result.lines[0].weight, Weight::ZERO);
    }

    #[test]
    fn ties_are_exact_where_28_digit_division_would_break_them() {
        // £1,000,000,000,000.00 to the penny (N = 10^14) over a=1, b=3·10^13 − 2, c=1, so
        // W = 3·10^13. Every share has a fractional part of exactly 1/3 of a penny:
        // a: 10/3 = 3 + 1/3; b: 10^14 − 20/3 = 99,999,999,999,993 + 1/3; c as a.
        // In integers all three remainders are 10^13: a true three-way tie, with one penny
        // left over. b has the largest weight and gets it. Decimal division would give a
        // and c more digits of 1/3 than b (28 significant digits in all) and so a larger
        // fraction, handing the penny to a instead.
        let result = allocate(
            Money::pounds(1_000_000_000_000),
            AllocationUnit::Penny,
            &lines(&[("a", "1"), ("b", "29999999999998"), ("c", "1")]),
        )
        .unwrap();
        assert_eq!(
            amounts(&result),
            expect(&[("a", "0.03"), ("b", "999999999999.94"), ("c", "0.03")])
        );
        assert_eq!(result.difference(), Money::ZERO);
    }

    #[test]
    fn weights_with_different_places_keep_their_proportions() {
        // 2.5 and 7.25 scale to 250 and 725 (W = 975); £39 in pounds: shares 10 and 29.
        let result = allocate(
            pot("39"),
            AllocationUnit::Pound,
            &lines(&[("a", "2.5"), ("b", "7.25")]),
        )
        .unwrap();
        assert_eq!(amounts(&result), expect(&[("a", "10.00"), ("b", "29.00")]));
    }

    #[test]
    fn refuses_inputs_that_cannot_be_allocated() {
        let three = lines(&[("a", "1"), ("b", "1"), ("c", "1")]);
        assert_eq!(
            allocate(pot("10"), AllocationUnit::Pound, &[]),
            Err(AllocateError::NoWeights)
        );
        assert_eq!(
            allocate(
                pot("10"),
                AllocationUnit::Pound,
                &lines(&[("a", "0"), ("b", "0.00")])
            ),
            Err(AllocateError::AllZero)
        );
        assert_eq!(
            allocate(
                pot("10"),
                AllocationUnit::Pound,
                &lines(&[("kent", "1"), ("essex", "2"), ("kent", "3")])
            ),
            Err(AllocateError::DuplicateForce(id("kent")))
        );
        assert_eq!(
            allocate(Money::ZERO, AllocationUnit::Pound, &three),
            Err(AllocateError::PotNotPositive(Money::ZERO))
        );
        assert_eq!(
            allocate(pot("-10"), AllocationUnit::Penny, &three),
            Err(AllocateError::PotNotPositive(pot("-10")))
        );
        assert_eq!(
            allocate(pot("10.50"), AllocationUnit::Pound, &three),
            Err(AllocateError::PotNotWholeUnits {
                pot: pot("10.50"),
                unit: AllocationUnit::Pound
            })
        );
        // The same pot is fine to the penny.
        assert!(allocate(pot("10.50"), AllocationUnit::Penny, &three).is_ok());
    }

    #[test]
    fn figures_too_large_for_exact_arithmetic_are_an_error_not_a_panic() {
        // N = 10^24 pence times a weight scaled to about 10^22 is beyond u128 (about
        // 3.4·10^38); no real pot comes near, but the answer must still be an error.
        let huge = Money::round(dec!(10_000_000_000_000_000_000_000));
        assert_eq!(
            allocate(
                huge,
                AllocationUnit::Penny,
                &lines(&[("a", "9999999999999999.999999"), ("b", "1")])
            ),
            Err(AllocateError::TooLarge)
        );
    }

    #[test]
    fn errors_say_what_to_do() {
        assert_eq!(
            AllocateError::PotNotWholeUnits {
                pot: pot("10.50"),
                unit: AllocationUnit::Pound
            }
            .to_string(),
            "the pot £10.50 is not a whole number of pounds (£1.00): give a pot in whole \
             pounds or allocate with a smaller unit"
        );
        assert_eq!(
            AllocateError::PotNotPositive(pot("-5")).to_string(),
            "the pot is -£5.00, not a positive amount: give a pot above £0.00"
        );
        assert_eq!(
            AllocateError::DuplicateForce(id("kent")).to_string(),
            "force kent is given a weight twice: list each force once"
        );
    }

    #[test]
    fn weights_are_read_exactly_and_never_negative() {
        assert_eq!("1470".parse::<Weight>().unwrap().to_string(), "1470");
        assert_eq!("2.50".parse::<Weight>().unwrap().to_string(), "2.5");
        assert_eq!("2.5".parse::<Weight>().unwrap().as_decimal(), dec!(2.5));
        assert_eq!("0".parse::<Weight>().unwrap(), Weight::ZERO);
        assert!("0.00".parse::<Weight>().unwrap().is_zero());
        assert_eq!("-0".parse::<Weight>().unwrap(), Weight::ZERO);
        assert_eq!("-0".parse::<Weight>().unwrap().to_string(), "0");
        assert_eq!("-1".parse::<Weight>(), Err(ParseNumberError::Negative));
        assert_eq!("-0.5".parse::<Weight>(), Err(ParseNumberError::Negative));
        assert_eq!(
            "0.1234567".parse::<Weight>(),
            Err(ParseNumberError::TooManyPlaces { places: 6 })
        );
        assert_eq!(
            "0.123456".parse::<Weight>().unwrap().as_decimal(),
            dec!(0.123456)
        );
        for bad in ["1,470", "", "ten", "1e3", "+1"] {
            assert!(bad.parse::<Weight>().is_err(), "{bad:?}");
        }
        assert_eq!(Weight::new(dec!(-0.01)), Err(ParseNumberError::Negative));
        assert_eq!(Weight::new(dec!(3.000)).unwrap().to_string(), "3");
        assert_eq!(
            Weight::new(dec!(0.0000001)),
            Err(ParseNumberError::TooManyPlaces { places: 6 })
        );
    }

    #[test]
    fn units_read_and_print_as_words() {
        assert_eq!("pound".parse::<AllocationUnit>(), Ok(AllocationUnit::Pound));
        assert_eq!("penny".parse::<AllocationUnit>(), Ok(AllocationUnit::Penny));
        assert_eq!(AllocationUnit::Pound.to_string(), "pound");
        assert_eq!(AllocationUnit::Penny.to_string(), "penny");
        assert_eq!(AllocationUnit::default(), AllocationUnit::Pound);
        assert_eq!(AllocationUnit::Pound.amount(), pot("1.00"));
        assert_eq!(AllocationUnit::Penny.amount(), pot("0.01"));
        let err = "Pound".parse::<AllocationUnit>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"Pound\" is not an allocation unit: use pound or penny"
        );
    }

    /// The spec's `weights.csv`, embedded so the test does not depend on files outside
    /// the crate.
    const SPEC_WEIGHTS: &str = "id,weight
avon-and-somerset,3100
bedfordshire,1470
cambridgeshire,1750
cheshire,2300
city-of-london,1000
cleveland,1500
cumbria,1300
derbyshire,2100
devon-and-cornwall,3600
dorset,1400
durham,1300
dyfed-powys,1300
essex,3700
gloucestershire,1300
greater-manchester,8000
gwent,1500
hampshire,3300
hertfordshire,2200
humberside,2200
kent,4100
lancashire,3400
leicestershire,2300
lincolnshire,1300
merseyside,4000
metropolitan,33500
norfolk,1900
northamptonshire,1500
northumbria,3900
north-wales,1600
north-yorkshire,1600
nottinghamshire,2400
south-wales,3400
south-yorkshire,3100
staffordshire,1900
suffolk,1400
surrey,2200
sussex,3200
thames-valley,5000
warwickshire,1100
west-mercia,2500
west-midlands,7500
west-yorkshire,6100
wiltshire,1100
";

    /// The allocation of £200,000,000 in pounds over `SPEC_WEIGHTS`, in id order, worked
    /// independently with exact integers (W = 144,320, N = 200,000,000: the floors leave
    /// 22 pounds). The last of them falls inside a three-way tie: hertfordshire, humberside
    /// and surrey all weigh 2200 with remainder 70,400, and only hertfordshire, the lowest
    /// id, gets a pound.
    const SPEC_ALLOCATIONS: &[(&str, i64)] = &[
        ("avon-and-somerset", 4296009),
        ("bedfordshire", 2037140),
        ("cambridgeshire", 2425166),
        ("cheshire", 3187361),
        ("city-of-london", 1385809),
        ("cleveland", 2078714),
        ("cumbria", 1801552),
        ("derbyshire", 2910200),
        ("devon-and-cornwall", 4988914),
        ("dorset", 1940133),
        ("durham", 1801552),
        ("dyfed-powys", 1801552),
        ("essex", 5127494),
        ("gloucestershire", 1801552),
        ("greater-manchester", 11086475),
        ("gwent", 2078714),
        ("hampshire", 4573171),
        ("hertfordshire", 3048781),
        ("humberside", 3048780),
        ("kent", 5681818),
        ("lancashire", 4711752),
        ("leicestershire", 3187361),
        ("lincolnshire", 1801552),
        ("merseyside", 5543237),
        ("metropolitan", 46424612),
        ("norfolk", 2633038),
        ("north-wales", 2217295),
        ("north-yorkshire", 2217295),
        ("northamptonshire", 2078714),
        ("northumbria", 5404656),
        ("nottinghamshire", 3325942),
        ("south-wales", 4711752),
        ("south-yorkshire", 4296009),
        ("staffordshire", 2633038),
        ("suffolk", 1940133),
        ("surrey", 3048780),
        ("sussex", 4434590),
        ("thames-valley", 6929047),
        ("warwickshire", 1524390),
        ("west-mercia", 3464523),
        ("west-midlands", 10393570),
        ("west-yorkshire", 8453437),
        ("wiltshire", 1524390),
    ];

    #[test]
    fn the_spec_pot_over_the_spec_weights() {
        let weights: Vec<WeightLine> = SPEC_WEIGHTS
            .lines()
            .skip(1)
            .map(|row| {
                let (force, weight) = row.split_once(',').unwrap();
                WeightLine {
                    force: id(force),
                    weight: weight.parse().unwrap(),
                }
            })
            .collect();
        assert_eq!(weights.len(), 43);
        let result = allocate(pot("200000000.00"), AllocationUnit::Pound, &weights).unwrap();
        assert_eq!(result.total().to_string(), "200000000.00");
        assert_eq!(result.difference(), Money::ZERO);
        for line in &result.lines {
            assert_eq!(line.allocation.to_pence() % 100, 0, "{}", line.force);
        }
        let got: Vec<(&str, Money)> = result
            .lines
            .iter()
            .map(|line| (line.force.as_str(), line.allocation))
            .collect();
        let want: Vec<(&str, Money)> = SPEC_ALLOCATIONS
            .iter()
            .map(|&(force, pounds)| (force, Money::pounds(pounds)))
            .collect();
        assert_eq!(got, want);
    }

    /// A weight as the properties generate it: often zero, otherwise whole up to 100,000 or
    /// with one or two decimal places. Small halves (0.5 to 4) are common too, so that equal
    /// weights and ties of remainders between different weights occur and the tie-breaks
    /// are exercised.
    fn weight_strategy() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            1 => Just(Decimal::ZERO),
            2 => (1i64..=8).prop_map(|halves| Decimal::new(halves * 5, 1)),
            3 => (0i64..=100_000).prop_map(Decimal::from),
            1 => (0i64..=1_000_000).prop_map(|m| Decimal::new(m, 1)),
            2 => (0i64..=10_000_000).prop_map(|m| Decimal::new(m, 2)),
        ]
    }

    /// Forces `f00`, `f01`, … with their weights, in a shuffled order.
    fn weights_strategy() -> impl Strategy<Value = Vec<WeightLine>> {
        prop::collection::vec(weight_strategy(), 1..60)
            .prop_map(|weights| {
                weights
                    .into_iter()
                    .enumerate()
                    .map(|(i, w)| WeightLine {
                        force: id(&format!("f{i:02}")),
                        weight: Weight::new(w).unwrap(),
                    })
                    .collect::<Vec<_>>()
            })
            .prop_shuffle()
    }

    /// A pot and its unit; a pot in pounds is whole pounds.
    fn pot_strategy() -> impl Strategy<Value = (Money, AllocationUnit)> {
        prop_oneof![
            (1i64..=10_000_000_000).prop_map(|p| (Money::pounds(p), AllocationUnit::Pound)),
            (1i64..=1_000_000_000_000).prop_map(|p| (Money::pence(p), AllocationUnit::Penny)),
        ]
    }

    /// The weight in hundredths as an integer: every generated weight has at most 2
    /// places, so this is exact, and it is worked out apart from the code under test.
    fn hundredths(weight: Weight) -> u128 {
        let scaled = weight.as_decimal() * Decimal::ONE_HUNDRED;
        assert!(scaled.fract().is_zero());
        scaled.to_u128().unwrap()
    }

    proptest! {
        #[test]
        fn allocation_properties(
            weights in weights_strategy(),
            (pot, unit) in pot_strategy(),
        ) {
            let result = allocate(pot, unit, &weights);
            if weights.iter().all(|line| line.weight.is_zero()) {
                prop_assert_eq!(result, Err(AllocateError::AllZero));
                return Ok(());
            }
            let result = result.unwrap();

            // The total is the pot, to the penny.
            prop_assert_eq!(result.total(), pot);
            prop_assert_eq!(result.difference(), Money::ZERO);

            // One line per force, in id order.
            let ids: Vec<&ForceId> = result.lines.iter().map(|line| &line.force).collect();
            let mut want_ids: Vec<&ForceId> = weights.iter().map(|line| &line.force).collect();
            want_ids.sort();
            prop_assert_eq!(ids, want_ids);

            let unit_pence: u128 = match unit {
                AllocationUnit::Pound => 100,
                AllocationUnit::Penny => 1,
            };
            let n = u128::try_from(pot.to_pence()).unwrap() / unit_pence;
            let total: u128 = result.lines.iter().map(|line| hundredths(line.weight)).sum();
            let mut got_extra = Vec::new();
            let mut no_extra = Vec::new();
            for line in &result.lines {
                let pence = u128::try_from(line.allocation.to_pence()).unwrap();
                // Every allocation is a whole number of units.
                prop_assert_eq!(pence % unit_pence, 0);
                let units = pence / unit_pence;
                let w = hundredths(line.weight);
                let floor = n * w / total;
                let remainder = n * w % total;
                // Each force gets its floored share or exactly one unit more.
                prop_assert!(
                    units == floor || units == floor + 1,
                    "{} got {} units, floor {}", line.force, units, floor
                );
                // Weight 0 gets 0.
                if w == 0 {
                    prop_assert_eq!(units, 0);
                }
                let key = (Reverse(remainder), Reverse(w), line.force.clone());
                if units == floor + 1 {
                    got_extra.push(key);
                } else if w > 0 {
                    no_extra.push(key);
                }
            }
            // The extra units went to the best-ranked forces: larger remainder, then larger
            // weight, then lower id.
            if let (Some(worst_winner), Some(best_loser)) =
                (got_extra.iter().max(), no_extra.iter().min())
            {
                prop_assert!(worst_winner < best_loser);
            }

            // Equal weights give amounts at most one unit apart.
            for a in &result.lines {
                for b in &result.lines {
                    if a.weight == b.weight {
                        let gap = (a.allocation - b.allocation).as_decimal().abs();
                        prop_assert!(gap <= unit.amount().as_decimal());
                    }
                }
            }

            // The order of the input changes nothing.
            let mut reversed = weights.clone();
            reversed.reverse();
            prop_assert_eq!(allocate(pot, unit, &reversed), Ok(result.clone()));
            let mut by_id = weights.clone();
            by_id.sort_by(|a, b| a.force.cmp(&b.force));
            prop_assert_eq!(allocate(pot, unit, &by_id), Ok(result));
        }

        #[test]
        fn scaling_every_weight_changes_nothing(
            weights in weights_strategy(),
            (pot, unit) in pot_strategy(),
            factor in prop_oneof![Just(dec!(10)), Just(dec!(0.5)), Just(dec!(3))],
        ) {
            // Proportions are all that matter: a common factor must not move a penny, not
            // even by turning a tie into a near-tie.
            let scaled: Vec<WeightLine> = weights
                .iter()
                .map(|line| WeightLine {
                    force: line.force.clone(),
                    weight: Weight::new(line.weight.as_decimal() * factor).unwrap(),
                })
                .collect();
            let amounts = |result: Result<Allocation, AllocateError>| {
                result.map(|a| a.lines.into_iter().map(|l| l.allocation).collect::<Vec<_>>())
            };
            prop_assert_eq!(
                amounts(allocate(pot, unit, &weights)),
                amounts(allocate(pot, unit, &scaled))
            );
        }
    }
}
