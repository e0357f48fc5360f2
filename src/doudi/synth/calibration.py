"""Calibration targets for the synthetic city, with their sources.

The generator draws its parameters so that a large city reproduces these
targets, and the distribution test compares a generated city with them. Each
target names its source. A value marked ESTIMATE was not read in the cited
publication. It is derived from opened figures or is a design choice, and the
comment states which.

SOURCES (opened, with the figure used):

- [census2020] Shanghai 7th national census (reference time 2020-11-01), as
  reported at the Shanghai government press conference of 2021-05-18
  (https://shanghai.gov.cn/nw12344/20210518/001a0cef127c499eb381fa8dc3208e95.html)
  and in the summaries at http://hitone.net.cn/2021/shenghuo_0518/21509.html
  (Yicai) and https://www.360docs.net/doc/334591733.html: resident population
  24,870,895; male 51.77 %; age 0-14 9.80 %, 15-59 66.82 %, 60+ 23.38 %,
  65+ 16.28 % (60+ is 5,815,500 people).
- [census2010] Shanghai 6th national census bulletin, Shanghai Municipal
  Bureau of Statistics, 2011-05-03 (mirror https://360docs.net/doc/4d8719522.html):
  2.49 persons per family household in 2010, down from 2.79 in 2000.
- [census2010-rural] Shanghai 2010 census tables, table 1-10c, family
  household size (rural), https://tjj.sh.gov.cn/tjnj/2010rktjnj/A0110c.htm:
  one-person 22.80 %, two 41.46 %, three 20.98 %, four 7.83 %, five 5.43 %.
- [pop2022] Shanghai 2022 population sample survey, reported by The Paper
  (mirror http://www.ltcy5.cn/news/4676.html): 24,758,900 residents, of whom
  10,062,600 hold another province's household registration; Anhui is the
  largest origin (23.2 % in 2022), followed by Jiangsu, Henan, Sichuan,
  Jiangxi, Zhejiang and Shandong.
- [disability2006] Second national sample survey on disability (2006):
  8,296 万 disabled people, 6.34 % of the population, reported by
  People's Daily on gov.cn, 2007-05-29
  (http://big5.www.gov.cn/gate/big5/www.gov.cn//jrzg/2007-05/29/content_628820.htm).
  Category shares from Tian, Zhang and Qiu, Chinese Journal of Special
  Education 2007 (8) (http://gsh.yzqz.cn/teshujiaoyu/cjse2007/cjse20070812-1.html):
  visual 14.86 %, hearing 24.16 %, speech 1.53 %, physical 29.07 %,
  intellectual 6.68 %, mental 7.40 %, multiple 16.30 %.
- [cdpf2010] China Disabled Persons' Federation estimate for 2010 based on the
  2006 survey (https://qianghan.com.cn/gonglue/113703.html): 2,518 万 severe
  (grades 1-2) and 5,984 万 moderate or mild (grades 3-4), so grades 1-2 are
  29.6 % of disabled people.
- [income2024] Shanghai per-capita disposable income of all residents:
  88,366 yuan in 2024 and 84,834 yuan in 2023 (CEIC series from the Shanghai
  Municipal Bureau of Statistics, as listed by Google Dataset Search).
- [income2022q3] Shanghai, first three quarters of 2022 (Teller Report,
  https://www.breakinglatest.news/news/in-the-first-three-quarters-the-per-capita-disposable-income-of-shanghai-residents-was-59472-yuan-a-year-on-year-increase-of-1-0-teller-report/):
  all residents 59,472 yuan, urban residents 62,479 yuan, rural 32,435 yuan.
- [nbs2024h1] National Bureau of Statistics, income and consumption in the
  first half of 2024 (mirror http://m.sqzimxl.cn/p/515742.html): urban
  per-capita disposable income mean 27,561 yuan, median 24,403 yuan.
- [certificate] "第二代残疾人证说明", a local disabled persons' federation
  page (Tieling, 2010-11-15): the certificate number is the 18-character
  resident ID, one category digit (1 visual, 2 hearing, 3 speech, 4 physical,
  5 intellectual, 6 mental, 7 multiple) and one grade digit (1-4).
"""

from __future__ import annotations

from typing import Final

# --- Population structure [census2020] -------------------------------------

AGE_GROUP_SHARES: Final[dict[str, float]] = {
    "0-14": 0.0980,
    "15-59": 0.6682,
    "60+": 0.2338,
}
AGE_65_PLUS_SHARE: Final = 0.1628
MALE_SHARE: Final = 0.5177

# ESTIMATE: Shanghai's 2020 average family household size was not opened.
# The 2010 value was 2.49 [census2010]; 2.32 is assumed for 2020 and not
# checked against the census bulletin.
MEAN_HOUSEHOLD_SIZE: Final = 2.32

# ESTIMATE: shares by household size, shaped like [census2010-rural] but with
# more one-person households, so that the mean is MEAN_HOUSEHOLD_SIZE. The
# generator makes no household larger than 6, because households of 7 or more
# were 0.4 % of rural households in 2010. The "6" share is for 6 and more.
HOUSEHOLD_SIZE_SHARES: Final[dict[int, float]] = {
    1: 0.293,
    2: 0.340,
    3: 0.210,
    4: 0.090,
    5: 0.044,
    6: 0.023,
}

# Share of residents with another province's household registration [pop2022].
MIGRANT_SHARE: Final = 10_062_600 / 24_758_900

# --- Disability [disability2006], [cdpf2010] --------------------------------

# National crude prevalence in 2006, used for Shanghai's population as is.
DISABILITY_PREVALENCE: Final = 0.0634

DISABILITY_CATEGORY_SHARES: Final[dict[str, float]] = {
    "visual": 0.1486,
    "hearing": 0.2416,
    "speech": 0.0153,
    "physical": 0.2907,
    "intellectual": 0.0668,
    "mental": 0.0740,
    "multiple": 0.1630,
}

# Category and grade digits of the disability certificate number [certificate].
DISABILITY_CATEGORY_DIGITS: Final[dict[str, str]] = {
    "visual": "1",
    "hearing": "2",
    "speech": "3",
    "physical": "4",
    "intellectual": "5",
    "mental": "6",
    "multiple": "7",
}

SEVERE_DISABILITY_SHARE: Final = 2518 / (2518 + 5984)

# ESTIMATE: the split inside the severe (1-2) and moderate or mild (3-4)
# groups is assumed; only the 1-2 total comes from [cdpf2010].
DISABILITY_GRADE_SHARES: Final[dict[int, float]] = {
    1: 0.125,
    2: SEVERE_DISABILITY_SHARE - 0.125,
    3: 0.250,
    4: 1.0 - SEVERE_DISABILITY_SHARE - 0.250,
}

# --- Income [income2024], [income2022q3], [nbs2024h1] ------------------------

SHANGHAI_DISPOSABLE_INCOME_2024_YUAN: Final = 88_366
URBAN_TO_ALL_INCOME_RATIO: Final = 62_479 / 59_472
URBAN_MEDIAN_TO_MEAN_RATIO: Final = 24_403 / 27_561

# ESTIMATE: Shanghai's urban median for 2024 was not opened. It is derived as
# the 2024 all-resident mean x the 2022 urban-to-all ratio x the national
# urban median-to-mean ratio, per month: about 6,850 yuan.
URBAN_MEDIAN_MONTHLY_INCOME_YUAN: Final = round(
    SHANGHAI_DISPOSABLE_INCOME_2024_YUAN
    * URBAN_TO_ALL_INCOME_RATIO
    * URBAN_MEDIAN_TO_MEAN_RATIO
    / 12
)

# ESTIMATE: assumed surveyed urban unemployment rate for Shanghai; this value
# was not read in a bulletin.
UNEMPLOYMENT_RATE: Final = 0.045

# ESTIMATE: prevalence of a recorded serious illness (重大疾病) among all
# residents; not from a publication.
SERIOUS_ILLNESS_PREVALENCE: Final = 0.012

# --- Assistance coverage (design targets, not published Shanghai figures) ---

# Share of residents living in households that qualify for dibao under the
# ground-truth rules, and the accepted range in tests.
DIBAO_PERSON_SHARE: Final = 0.010
DIBAO_PERSON_SHARE_RANGE: Final = (0.005, 0.020)

# Low-income population (dibao, 低保边缘 and 特困 persons) as a multiple of
# the dibao population, and the accepted range in tests.
LOW_INCOME_TO_DIBAO_RATIO: Final = 4.0
LOW_INCOME_TO_DIBAO_RANGE: Final = (2.0, 8.0)

# --- Tolerances of the distribution test -------------------------------------

SHARE_TOLERANCE: Final = 0.02  # absolute, for age and household-size shares
RELATIVE_TOLERANCE: Final = 0.10  # for disability prevalence and median income

# --- Declaration defects ----------------------------------------------------

# Share of income rows whose declared amount is 0 (omitted) or below the true
# amount (under-reported), by income kind, and the range of the declared
# fraction when under-reported. Design values, not measured rates.
INCOME_OMISSION_SHARES: Final[dict[str, float]] = {
    "wages": 0.03,
    "business": 0.20,
    "property": 0.30,
    "transfer": 0.10,
    "pension": 0.01,
}
INCOME_UNDER_REPORT_SHARES: Final[dict[str, float]] = {
    "wages": 0.10,
    "business": 0.25,
    "property": 0.15,
    "transfer": 0.05,
    "pension": 0.02,
}
UNDER_REPORT_FRACTION_RANGE: Final = (0.4, 0.9)

# The same for assets, by asset kind.
ASSET_OMISSION_SHARES: Final[dict[str, float]] = {
    "deposits": 0.05,
    "securities": 0.20,
    "insurance": 0.15,
    "vehicle": 0.05,
    "housing": 0.02,
}
ASSET_UNDER_REPORT_SHARES: Final[dict[str, float]] = {
    "deposits": 0.15,
    "securities": 0.10,
    "insurance": 0.10,
    "vehicle": 0.05,
    "housing": 0.02,
}
