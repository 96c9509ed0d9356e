"""The dashboard's order list: its CSV download is formula-safe, like every spreadsheet Peken writes.

Oscar writes shopper-typed names and emails into the CSV as they are, so a
name such as ``=HYPERLINK(...)`` would run in the staff member's spreadsheet.
"""

from oscar.apps.dashboard.orders import views

from peken.exports import csv_response


class OrderListView(views.OrderListView):
    def download_selected_orders(self, request, orders):
        rows = (
            [self.get_row_values(order).get(column, "") for column in self.CSV_COLUMNS] for order in orders
        )
        return csv_response(
            filename=self.get_download_filename(request), header=list(self.CSV_COLUMNS.values()), rows=rows
        )
