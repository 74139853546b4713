/**
 * The closed value lists of customer and campaign fields, with no schema library attached, so that
 * the portal's forms offer exactly the values the API accepts without shipping the validator.
 */

export const BUSINESS_TYPES = [
  'Sole Proprietorship',
  'Partnership',
  'Limited Liability Corporation',
  'Co-operative',
  'Non-profit Corporation',
  'Corporation',
] as const;

export const INDUSTRIES = [
  'AUTOMOTIVE', 'AGRICULTURE', 'BANKING', 'CONSTRUCTION', 'CONSUMER', 'EDUCATION', 'ENGINEERING', 'ENERGY',
  'OIL_AND_GAS', 'FAST_MOVING_CONSUMER_GOODS', 'FINANCIAL', 'FINTECH', 'FOOD_AND_BEVERAGE', 'GOVERNMENT',
  'HEALTHCARE', 'HOSPITALITY', 'INSURANCE', 'LEGAL', 'MANUFACTURING', 'MEDIA', 'ONLINE', 'PROFESSIONAL_SERVICES',
  'RAW_MATERIALS', 'REAL_ESTATE', 'RELIGION', 'RETAIL', 'JEWELRY', 'TECHNOLOGY', 'TELECOMMUNICATIONS',
  'TRANSPORTATION', 'TRAVEL', 'ELECTRONICS', 'NOT_FOR_PROFIT',
] as const;

export const REGISTRATION_ID_TYPES = ['EIN', 'CBN', 'CN', 'ACN', 'CIN', 'VAT', 'VATRN', 'RN', 'Other'] as const;
export const REGIONS = ['AFRICA', 'ASIA', 'EUROPE', 'LATIN_AMERICA', 'USA_AND_CANADA'] as const;
export const COMPANY_TYPES = ['private', 'public', 'non-profit', 'government'] as const;
export const STOCK_EXCHANGES = [
  'NONE', 'NASDAQ', 'NYSE', 'AMEX', 'AMX', 'ASX', 'B3', 'BME', 'BSE', 'FRA', 'ICEX', 'JPX', 'JSE', 'KRX', 'LON',
  'NSE', 'OMX', 'SEHK', 'SSE', 'STO', 'SWX', 'SZSE', 'TSX', 'TWSE', 'VSE',
] as const;
export const JOB_POSITIONS = ['Director', 'GM', 'VP', 'CEO', 'CFO', 'General Counsel', 'Other'] as const;
export const CAMPAIGN_USE_CASES = [
  '2FA', 'ACCOUNT_NOTIFICATION', 'CUSTOMER_CARE', 'DELIVERY_NOTIFICATION', 'FRAUD_ALERT', 'HIGHER_EDUCATION', 'LOW_VOLUME',
  'MARKETING', 'MIXED', 'POLLING_VOTING', 'PUBLIC_SERVICE_ANNOUNCEMENT', 'SECURITY_ALERT', 'CHARITY', 'POLITICAL',
  'AGENTS_FRANCHISES', 'PROXY', 'EMERGENCY', 'K12_EDUCATION', 'SOCIAL', 'SWEEPSTAKE', 'SOLE_PROPRIETOR',
] as const;
