/**
 * Where request events live. Writers and readers use `REQUEST_EVENTS_TARGET` on both template
 * variants: it is the data stream (production) or the write alias over the rolled indices
 * (portable, which also puts every rolled index behind it for reading).
 */
export const REQUEST_EVENTS_TARGET = 'lookout-requests';

/** Name of the composable index template (both variants). */
export const REQUEST_EVENTS_TEMPLATE = 'lookout-requests';

/** ILM policy of the production variant. */
export const REQUEST_EVENTS_ILM_POLICY = 'lookout-requests';

/** Index pattern of the production (data stream) template; also the Kibana data view's pattern. */
export const REQUEST_EVENTS_PATTERN = 'lookout-requests*';

/** Index pattern of the portable template: only the numbered indices; the bare name is the alias. */
export const REQUEST_EVENTS_PORTABLE_PATTERN = 'lookout-requests-*';

/** First index of the portable variant; rollover names the next ones `-000002`, ... */
export const REQUEST_EVENTS_FIRST_INDEX = 'lookout-requests-000001';
