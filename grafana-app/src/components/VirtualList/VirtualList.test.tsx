import React, { useState } from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { VirtualList, visibleRange } from './VirtualList';

function List({
  count,
  onChoose = () => {},
  onNearEnd,
}: {
  count: number;
  onChoose?: (i: number) => void;
  onNearEnd?: () => void;
}) {
  const [active, setActive] = useState(0);
  return (
    <VirtualList
      id="vl"
      label="Numbers"
      count={count}
      rowHeight={20}
      height={200}
      overscan={5}
      renderRow={(i) => `row ${i}`}
      activeIndex={active}
      onActiveChange={setActive}
      onChoose={onChoose}
      onNearEnd={onNearEnd}
      rowTestId={(i) => `row-${i}`}
    />
  );
}

describe('VirtualList', () => {
  it('renders only the rows in view and a few either side', () => {
    render(<List count={100000} />);
    // 200px of 20px rows is 10 rows, plus 5 overscan below.
    expect(screen.getAllByRole('option')).toHaveLength(15);
    expect(screen.getByText('row 0')).toBeInTheDocument();
    expect(screen.queryByText('row 15')).not.toBeInTheDocument();
  });

  it('renders the rows of the scroll position', () => {
    render(<List count={100000} />);
    const box = screen.getByRole('listbox', { name: 'Numbers' });
    box.scrollTop = 50000 * 20;
    fireEvent.scroll(box);
    expect(screen.getByText('row 50000')).toBeInTheDocument();
    expect(screen.queryByText('row 0')).not.toBeInTheDocument();
    expect(screen.getAllByRole('option').length).toBeLessThanOrEqual(20);
  });

  it('moves with the arrow keys and chooses with Enter', async () => {
    const chosen: number[] = [];
    render(<List count={50} onChoose={(i) => chosen.push(i)} />);
    const box = screen.getByRole('listbox', { name: 'Numbers' });
    box.focus();
    await userEvent.keyboard('{ArrowDown}{ArrowDown}{ArrowUp}{ArrowDown}{Enter}');
    expect(chosen).toEqual([2]);
    expect(screen.getByTestId('row-2')).toHaveAttribute('aria-selected', 'true');
    expect(box).toHaveAttribute('aria-activedescendant', 'vl-row-2');
    await userEvent.keyboard('{End}{Enter}');
    expect(chosen).toEqual([2, 49]);
    expect(screen.getByText('row 49')).toBeInTheDocument();
    await userEvent.keyboard('{Home}{ArrowUp}{Enter}');
    expect(chosen).toEqual([2, 49, 0]);
  });

  it('asks for more when the end comes into view', () => {
    const nearEnd = jest.fn();
    const { rerender } = render(<List count={1000} onNearEnd={nearEnd} />);
    expect(nearEnd).not.toHaveBeenCalled();
    const box = screen.getByRole('listbox');
    box.scrollTop = 990 * 20;
    fireEvent.scroll(box);
    expect(nearEnd).toHaveBeenCalled();
    nearEnd.mockClear();
    rerender(<List count={8} onNearEnd={nearEnd} />);
    expect(nearEnd).toHaveBeenCalled();
  });

  it('computes the visible range with overscan, clamped to the rows there are', () => {
    expect(visibleRange(0, 100, 10, 5, 3)).toEqual({ first: 0, last: 5 });
    expect(visibleRange(1000, 100, 10, 1000, 3)).toEqual({ first: 97, last: 113 });
  });
});
