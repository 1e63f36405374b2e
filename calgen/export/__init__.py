"""Writers for what calgen produces: schema JSON, iCalendar feeds, the Gantt CSV and page."""
