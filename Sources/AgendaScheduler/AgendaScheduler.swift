import TyndauCore

// The scheduler's home: the meeting calendar, agenda selection and its Markdown/JSON/iCalendar
// renderings (see ARCHITECTURE.md). Filled in by the scheduler issue.
