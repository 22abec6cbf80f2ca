package store

// Page selects one page of a list: Number is 1-based, Size is the page size.
// A zero Page means "everything".
type Page struct {
	Number int
	Size   int
}

// Offset is the number of rows before the page.
func (p Page) Offset() int {
	if p.Number < 1 || p.Size < 1 {
		return 0
	}
	return (p.Number - 1) * p.Size
}

// Limit is the page size, or -1 for "no limit".
func (p Page) Limit() int {
	if p.Size < 1 {
		return -1
	}
	return p.Size
}
